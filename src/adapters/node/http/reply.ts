import type { FastifyReply } from 'fastify';
import { toErrorData, ElmError, type ErrorCode } from '../../../core/errors.js';
import { httpStatusFor } from '../../../serving/protocol/status.js';

/** A complete HTTP answer, independent of the framework that writes it (fastify route or the infer fast path). */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  payload: string | Uint8Array;
}

/** An OIP error answer {"error": message, "code": code} with the mapped status (and Retry-After on 503). */
export function errorAnswer(e: unknown, retryAfterS = 1): HttpAnswer {
  const data = toErrorData(e);
  const status = httpStatusFor(data.code);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status === 503) {
    const hint = data.details?.retryAfterS;
    headers['retry-after'] = String(typeof hint === 'number' ? Math.max(1, Math.ceil(hint)) : retryAfterS);
  }
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  return { status, headers, payload: JSON.stringify({ error: data.message, code: data.code }) };
}

/** Write an answer through fastify. */
export function sendAnswer(reply: FastifyReply, a: HttpAnswer): FastifyReply {
  return reply.code(a.status).headers(a.headers).send(a.payload);
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
