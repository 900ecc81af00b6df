import type { FastifyReply } from 'fastify';
import { ElmError, type ErrorCode } from '../../../core/errors.js';
import { errorAnswer, type Answer } from '../../../serving/answer.js';

/** Write a serving-core answer through fastify. */
export function sendAnswer(reply: FastifyReply, a: Answer): FastifyReply {
  reply.code(a.status);
  // Most answers carry only a content type: set it directly rather than through headers()'s object walk.
  for (const k in a.headers) reply.header(k, a.headers[k]);
  return reply.send(a.payload);
}

/** Send an OIP error body {"error": message, "code": code} with the mapped status (and Retry-After on 503). */
export function sendError(reply: FastifyReply, e: unknown, retryAfterS = 1): FastifyReply {
  return sendAnswer(reply, errorAnswer(e, retryAfterS));
}

/** Map a fastify/framework error (body too large, bad content, ...) to an ElmError. */
export function frameworkError(e: { statusCode?: number; code?: string; message: string }): ElmError {
  const status = e.statusCode ?? 500;
  let code: ErrorCode = 'ELM_ERR_INTERNAL';
  if (status === 413) code = 'ELM_ERR_PAYLOAD_TOO_LARGE';
  else if (status === 415 || (status >= 400 && status < 500)) code = 'ELM_ERR_BAD_REQUEST';
  return new ElmError(code, e.message);
}
