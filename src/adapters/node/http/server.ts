import Fastify, { type FastifyInstance } from 'fastify';
import { ElmError } from '../../../core/errors.js';
import type { Executor } from '../../../serving/executor.js';
import type { ModelRegistry } from '../../../serving/registry.js';
import { RestRouter, restRoutes, unroutedAnswer } from '../../../serving/rest/router.js';
import type { InferenceService } from '../../../serving/service.js';
import { buildServing, resolveServerOptions, type ServingRuntime, type SkippedArtifact } from '../serving/compose.js';
import type { PromMetrics } from '../serving/prom-metrics.js';
import { isLoopback, type ServerContext, type ServerOptions } from './options.js';
import { restPlugin } from './plugin.js';
import { frameworkError, sendAnswer, sendError } from './reply.js';

export { resolveServerOptions };

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  app: FastifyInstance;
  service: InferenceService;
  registry: ModelRegistry;
  metrics: PromMetrics;
  executor: Executor;
  context: ServerContext;
  /** Model-directory files that failed to load at start (the server serves the rest). */
  skipped: SkippedArtifact[];
  close(): Promise<void>;
}

/**
 * Start an OIP v2 server: the programmatic API behind `elmscale serve`. Builds the serving core (buildServing) and
 * puts the fastify transport in front of it (listenHttp).
 *   const s = await startServer({ port: 0, models: [{ name: 'digits', model }] });  s.url → http://127.0.0.1:PORT
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const o = resolveServerOptions(options);
  checkExposure(o.host, o.token);
  const runtime = await buildServing(o);
  try {
    return await listenHttp(runtime);
  } catch (e) {
    await runtime.close().catch(() => undefined);
    throw e;
  }
}

/** A server on a non-loopback interface must have a token: refuse to start otherwise. */
function checkExposure(host: string, token: string | undefined): void {
  if (!isLoopback(host) && !token) {
    throw new ElmError(
      'ELM_ERR_UNAUTHORIZED',
      `refusing to listen on non-loopback host ${host} without a token (--token)`,
    );
  }
}

/** Listen on HTTP (fastify) in front of a built serving core; closing the server closes the core too. */
export async function listenHttp(runtime: ServingRuntime): Promise<RunningServer> {
  const { context, options: o } = runtime;
  const app = Fastify({ logger: o.logger, bodyLimit: o.bodyLimit, return503OnClosing: true });
  try {
    app.setErrorHandler((err, _req, reply) => {
      const e = err instanceof ElmError ? err : frameworkError(err as { statusCode?: number; message: string });
      return sendError(reply, e, o.retryAfterS);
    });
    const router = new RestRouter(restRoutes(context));
    app.setNotFoundHandler((req, reply) => {
      const path = req.url.split('?')[0]!;
      const m = router.match(req.method, path);
      return sendAnswer(reply, unroutedAnswer(req.method, path, m.route ? undefined : m.allow, o.retryAfterS));
    });
    await app.register(restPlugin, { ctx: context });
    for (const plugin of o.plugins ?? []) await plugin(app, context);
    await app.listen({ host: o.host, port: o.port }).catch((e: NodeJS.ErrnoException) => {
      throw listenError(e, o.host, o.port);
    });
    context.metrics.resetCpuBaseline();
  } catch (e) {
    await app.close().catch(() => undefined);
    throw e;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const hostForUrl = o.host.includes(':') && !o.host.startsWith('[') ? `[${o.host}]` : o.host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${port}`,
    host: o.host,
    port,
    app,
    service: context.service,
    registry: context.service.registry,
    metrics: context.metrics,
    executor: runtime.executor,
    context,
    skipped: runtime.skipped,
    close: () =>
      (closed ??= (async () => {
        await app.close();
        await runtime.close();
      })()),
  };
}

/** Why a listen failed, as a usage error the user can act on (a port in use, a privileged port, a bad address). */
function listenError(e: NodeJS.ErrnoException, host: string, port: number): unknown {
  const why: Record<string, string> = {
    EADDRINUSE: `port ${port} on ${host} is already in use (choose another --port, or --port 0 for a free one)`,
    EACCES: `no permission to listen on port ${port} (ports below 1024 need privileges; choose another --port)`,
    EADDRNOTAVAIL: `${host} is not an address of this machine (--host)`,
  };
  const msg = e.code ? why[e.code] : undefined;
  return msg ? new ElmError('ELM_ERR_INVALID_ARGUMENT', msg, { errno: e.code }, e) : e;
}
