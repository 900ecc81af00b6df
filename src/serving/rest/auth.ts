import { ElmError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';

/**
 * What a route exposes, for token protection: `health` (liveness/readiness, never protected: orchestrators probe
 * it), `inference` (metadata and infer), `metrics` (Prometheus text and per-model statistics), `admin` (the model
 * repository and cache administration).
 */
export type Scope = 'health' | 'inference' | 'metrics' | 'admin';
export const PROTECTABLE_SCOPES: readonly Scope[] = ['inference', 'metrics', 'admin'];

export interface AuthOptions {
  /** Bearer token; without one nothing is protected. */
  token?: string | undefined;
  /** Scopes that need the token (default: admin only). */
  protect?: readonly Scope[] | undefined;
}

const utf8 = new TextEncoder();

/**
 * Checks the bearer token for protected scopes. Tokens are compared as SHA-256 digests in constant time, so neither
 * the position of the first differing byte nor the token's length shows in the time taken.
 */
export class Authorizer {
  private readonly want: string | undefined;
  private readonly protectedScopes: ReadonlySet<Scope>;

  constructor(o: AuthOptions = {}) {
    this.want = o.token ? sha256Hex(utf8.encode(o.token)) : undefined;
    this.protectedScopes = new Set(this.want ? (o.protect ?? ['admin']) : []);
  }

  /** Whether requests in this scope must carry the token. */
  guards(scope: Scope): boolean {
    return this.protectedScopes.has(scope);
  }

  /** Throw ELM_ERR_UNAUTHORIZED unless the scope is open or the Authorization header carries the token. */
  check(scope: Scope, authorization: string | undefined): void {
    if (!this.protectedScopes.has(scope)) return;
    const m = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    const given = sha256Hex(utf8.encode(m?.[1]?.trim() ?? ''));
    let diff = 0;
    for (let i = 0; i < given.length; i++) diff |= given.charCodeAt(i) ^ this.want!.charCodeAt(i);
    if (diff !== 0 || m === null) {
      throw new ElmError('ELM_ERR_UNAUTHORIZED', 'this endpoint requires a valid bearer token');
    }
  }
}
