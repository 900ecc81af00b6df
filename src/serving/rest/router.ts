import { ElmError } from '../../core/errors.js';
import { errorAnswer, type Answer } from '../answer.js';
import type { ServingContext } from './context.js';
import { oipRoutes } from './oip.js';
import { repositoryRoutes } from './repository.js';
import type { Route, RouteRequest } from './route.js';

/** Every REST route of the server, in registration order. */
export function restRoutes(ctx: ServingContext): Route[] {
  return [...oipRoutes(ctx), ...repositoryRoutes(ctx)];
}

/**
 * Run a matched route: check its scope's token, refuse cross-site requests, call it, and turn any failure into a
 * coded OIP error answer. Adapters whose framework has its own hooks (fastify) check the token there and pass
 * `skipAuth`.
 */
export async function runRoute(
  ctx: ServingContext,
  route: Route,
  req: RouteRequest,
  skipAuth = false,
): Promise<Answer> {
  try {
    if (!skipAuth) ctx.auth.check(route.scope, req.header('authorization'));
    if (route.scope !== 'health') ctx.site.check(route, req);
    return await route.handle(req);
  } catch (e) {
    return errorAnswer(e, ctx.retryAfterS);
  }
}

interface Compiled {
  route: Route;
  /** Literal segment text, or null for a :param segment (its name is in `names`). */
  segments: (string | null)[];
  names: string[];
}

export type Match =
  | { route: Route; params: Record<string, string> }
  | { route?: undefined; allow: string }
  | { route?: undefined; allow?: undefined };

/**
 * Path matching for adapters without a router of their own (fetch): segment by segment against the same fastify
 * patterns that fastify registers. Also answers "which method would this path take" for 405 replies.
 */
export class RestRouter {
  private readonly compiled: Compiled[];

  constructor(readonly routes: Route[]) {
    this.compiled = routes.map((route) => {
      const parts = route.path.split('/').slice(1);
      return {
        route,
        segments: parts.map((p) => (p.startsWith(':') ? null : p)),
        names: parts.filter((p) => p.startsWith(':')).map((p) => p.slice(1)),
      };
    });
  }

  /** The route for method + path (path without the query), the method a known path allows, or nothing. */
  match(method: string, path: string): Match {
    const parts = path.split('/').slice(1);
    let allow: string | undefined;
    for (const c of this.compiled) {
      const params = matchSegments(c, parts);
      if (!params) continue;
      if (c.route.method === method || (method === 'HEAD' && c.route.method === 'GET'))
        return { route: c.route, params };
      allow ??= c.route.method;
    }
    return allow ? { allow } : {};
  }
}

function matchSegments(c: Compiled, parts: string[]): Record<string, string> | undefined {
  if (parts.length !== c.segments.length) return undefined;
  const params: Record<string, string> = {};
  let k = 0;
  for (let i = 0; i < parts.length; i++) {
    const want = c.segments[i];
    const got = parts[i]!;
    if (want === null) {
      if (got.length === 0) return undefined;
      let v: string;
      try {
        v = decodeURIComponent(got);
      } catch {
        return undefined;
      }
      params[c.names[k++]!] = v;
    } else if (want !== got) return undefined;
  }
  return params;
}

/** 405 with Allow for a known path on the wrong method, else 404 (no such route). */
export function unroutedAnswer(method: string, path: string, allow: string | undefined, retryAfterS = 1): Answer {
  if (allow) {
    return {
      status: 405,
      headers: { 'content-type': 'application/json', allow },
      payload: JSON.stringify({ error: `${method} is not allowed on ${path}`, code: 'ELM_ERR_METHOD_NOT_ALLOWED' }),
    };
  }
  return errorAnswer(new ElmError('ELM_ERR_MODEL_NOT_FOUND', `no route ${method} ${path}`), retryAfterS);
}
