import { timingSafeEqual } from 'node:crypto';
import { ElmError } from '../../../core/errors.js';

/** Constant-time check of an Authorization header against the configured bearer token. */
export function checkBearer(token: string | undefined, header: string | undefined): void {
  if (!token) return;
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  const given = Buffer.from(m?.[1]?.trim() ?? '');
  const want = Buffer.from(token);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new ElmError('ELM_ERR_UNAUTHORIZED', 'this endpoint requires a valid bearer token');
  }
}
