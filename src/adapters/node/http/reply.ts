import type { FastifyReply } from 'fastify';
import { ElmError, toErrorData, type ErrorCode } from '../../../core/errors.js';
import { httpStatusFor } from '../../../serving/protocol/status.js';

/** Send an OIP error body {"error": message, "code": code} with the mapped status (and Retry-After on 503). */
export function sendError(reply: FastifyReply, e: unknown, retryAfterS = 1): FastifyReply {
  const data = toErrorData(e);
  const status = httpStatusFor(data.code);
  if (status === 503) {
    const hint = data.details?.retryAfterS;
    reply.header('retry-after', String(typeof hint === 'number' ? Math.max(1, Math.ceil(hint)) : retryAfterS));
  }
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  return reply
    .code(status)
    .type('application/json')
    .send(JSON.stringify({ error: data.message, code: data.code }));
}

/** Map a fastify/framework error (body too large, bad content, ...) to an ElmError. */
export function frameworkError(e: { statusCode?: number; code?: string; message: string }): ElmError {
  const status = e.statusCode ?? 500;
  let code: ErrorCode = 'ELM_ERR_INTERNAL';
  if (status === 413) code = 'ELM_ERR_PAYLOAD_TOO_LARGE';
  else if (status === 415 || (status >= 400 && status < 500)) code = 'ELM_ERR_BAD_REQUEST';
  return new ElmError(code, e.message);
}
