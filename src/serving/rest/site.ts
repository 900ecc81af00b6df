import { ElmError } from '../../core/errors.js';
import type { Route, RouteRequest } from './route.js';

export interface SiteOptions {
  /**
   * Check the Host header against loopback names and `allowHosts` (defeats DNS rebinding: a page whose name
   * resolves to 127.0.0.1 then sends `Host: its-name`). On for servers bound to a loopback address.
   */
  checkHost?: boolean;
  /** Host header values (name[:port]) accepted besides loopback ones. */
  allowHosts?: readonly string[];
  /** Origins whose pages may call the inference and metrics routes ("*" = any). Admin routes stay same-origin. */
  allowOrigins?: readonly string[];
}

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i;
const JSON_OR_BINARY = /^application\/(?:json|octet-stream)\s*(?:;|$)/i;

/**
 * What a browser page on another site may do here: nothing that changes state, and nothing at all unless its origin
 * is allowed. A request from a page carries `Origin` (on POST, also same-origin) or `Sec-Fetch-Site`; plain
 * clients (curl, SDKs, wrk) send neither and pass untouched. Admin routes also need a JSON or binary content type,
 * so a "simple" cross-site form or text/plain POST (no CORS preflight) can never reach them.
 */
export class SitePolicy {
  private readonly allowHosts: ReadonlySet<string>;
  private readonly allowOrigins: ReadonlySet<string>;
  private readonly checkHost: boolean;

  constructor(o: SiteOptions = {}) {
    this.checkHost = o.checkHost ?? false;
    this.allowHosts = new Set((o.allowHosts ?? []).map((h) => h.toLowerCase()));
    this.allowOrigins = new Set(o.allowOrigins ?? []);
  }

  /** Throw ELM_ERR_CROSS_SITE (403) or ELM_ERR_UNSUPPORTED_MEDIA_TYPE (415) for requests this route must refuse. */
  check(route: Route, req: RouteRequest): void {
    const host = req.header('host');
    if (this.checkHost && host !== undefined && !LOOPBACK_HOST.test(host) && !this.allowHosts.has(host.toLowerCase())) {
      throw new ElmError('ELM_ERR_CROSS_SITE', `Host "${host}" is not this server (allow it with --allow-host)`);
    }
    const origin = req.header('origin');
    const fetchSite = req.header('sec-fetch-site');
    const fromPage = origin !== undefined || (fetchSite !== undefined && fetchSite !== 'none');
    if (fromPage && !this.sameOrigin(origin, fetchSite, host) && !this.originAllowed(route, origin)) {
      throw new ElmError(
        'ELM_ERR_CROSS_SITE',
        `cross-site request from ${origin ?? 'another site'} refused (allow an origin with --allow-origin)`,
      );
    }
    if (route.scope === 'admin' && route.method === 'POST' && (req.body?.length ?? 0) > 0) {
      const type = req.header('content-type') ?? '';
      if (!JSON_OR_BINARY.test(type)) {
        throw new ElmError(
          'ELM_ERR_UNSUPPORTED_MEDIA_TYPE',
          `admin requests need content-type application/json or application/octet-stream, got "${type}"`,
        );
      }
    }
  }

  private sameOrigin(origin: string | undefined, fetchSite: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return fetchSite === 'same-origin';
    if (host === undefined || origin === 'null') return false;
    const h = host.toLowerCase();
    return origin.toLowerCase() === `http://${h}` || origin.toLowerCase() === `https://${h}`;
  }

  private originAllowed(route: Route, origin: string | undefined): boolean {
    if (route.scope === 'admin' || origin === undefined) return false;
    return this.allowOrigins.has(origin) || this.allowOrigins.has('*');
  }
}
