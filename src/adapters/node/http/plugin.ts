import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { ElmError } from '../../../core/errors.js';
import type { ServingContext } from '../../../serving/rest/context.js';
import type { RouteRequest } from '../../../serving/rest/route.js';
import { restRoutes, runRoute } from '../../../serving/rest/router.js';
import { frameworkError, sendAnswer, sendError } from './reply.js';

export interface RestPluginOptions {
  ctx: ServingContext;
}

const NO_REQUEST: RouteRequest = { params: {}, query: {}, header: () => undefined, body: undefined };

/** A fastify request as the serving core's routes see it. */
function routeRequest(req: FastifyRequest): RouteRequest {
  const headers = req.headers;
  return {
    params: req.params as Record<string, string>,
    query: (req.query ?? {}) as Record<string, string>,
    header: (n) => {
      const v = headers[n];
      return Array.isArray(v) ? v[0] : v;
    },
    body: Buffer.isBuffer(req.body) ? req.body : undefined,
  };
}

/**
 * The serving core's REST routes (OIP v2, statistics, repository, /metrics) as a fastify plugin:
 *   app.register(restPlugin, { ctx })
 * Encapsulated: its body parser (every body as raw bytes: the infer route reads JSON + binary tensors itself) and
 * error handler apply to its routes only. Token checks run as an onRequest hook on the routes whose scope the
 * token guards, so open routes pay nothing for them.
 */
export async function restPlugin(app: FastifyInstance, { ctx }: RestPluginOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err, _req, reply) => {
    const e = err instanceof ElmError ? err : frameworkError(err as { statusCode?: number; message: string });
    return sendError(reply, e, ctx.retryAfterS);
  });
  for (const route of restRoutes(ctx)) {
    if (route.scope === 'health') {
      // Probes: never guarded, never site-checked (an orchestrator probes by IP), and they read nothing of the
      // request, so they skip the request adapter; a synchronous answer is sent without a promise turn.
      app.route({
        method: route.method,
        url: route.path,
        handler: (_req, reply) => {
          const a = route.handle(NO_REQUEST);
          return a instanceof Promise ? a.then((x) => sendAnswer(reply, x)) : sendAnswer(reply, a);
        },
      });
      continue;
    }
    const authHook: onRequestAsyncHookHandler = async (req) => {
      ctx.auth.check(route.scope, req.headers.authorization);
    };
    app.route({
      method: route.method,
      url: route.path,
      ...(ctx.auth.guards(route.scope) ? { onRequest: authHook } : {}),
      handler: async (req, reply) => sendAnswer(reply, await runRoute(ctx, route, routeRequest(req), true)),
    });
  }
}
