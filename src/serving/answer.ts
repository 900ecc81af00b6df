import { toErrorData } from '../core/errors.js';
import { httpStatusFor } from './protocol/status.js';

/**
 * A complete answer of the serving core, independent of the transport that delivers it: an HTTP status (NATS and
 * gRPC adapters map it to their own status fields), headers with lower-case names, and the payload exactly as sent.
 * Answers are immutable: the reply cache hands the same object to every hit.
 */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  payload: string | Uint8Array;
}

export const JSON_TYPE = 'application/json';
export const BINARY_TYPE = 'application/octet-stream';

/** A JSON answer; a string payload is taken as already serialised. */
export function jsonAnswer(body: unknown, status = 200): Answer {
  return {
    status,
    headers: { 'content-type': JSON_TYPE },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** An OIP error answer {"error": message, "code": code} with the mapped status (Retry-After on 503). */
export function errorAnswer(e: unknown, retryAfterS = 1): Answer {
  const data = toErrorData(e);
  const status = httpStatusFor(data.code);
  const headers: Record<string, string> = { 'content-type': JSON_TYPE };
  if (status === 503) {
    const hint = data.details?.retryAfterS;
    headers['retry-after'] = String(typeof hint === 'number' ? Math.max(1, Math.ceil(hint)) : retryAfterS);
  }
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  return { status, headers, payload: JSON.stringify({ error: data.message, code: data.code }) };
}
