import type { Answer } from '../answer.js';
import type { Scope } from './auth.js';

/** A request as every REST adapter presents it to a route: decoded path parameters, query, headers, raw body. */
export interface RouteRequest {
  params: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>>;
  /** Header lookup by lower-case name (the first value when repeated). */
  header(name: string): string | undefined;
  body: Uint8Array | undefined;
}

export interface Route {
  method: 'GET' | 'POST';
  /** fastify-style pattern: literal segments and `:param` segments. */
  path: string;
  scope: Scope;
  handle(req: RouteRequest): Answer | Promise<Answer>;
}

/** Both forms of a model path: /v2/models/{name}[/versions/{version}]{suffix}. */
export function modelPaths(suffix: string): string[] {
  return [`/v2/models/:name${suffix}`, `/v2/models/:name/versions/:version${suffix}`];
}
