import Fastify, { type FastifyInstance } from 'fastify';
import { ElmError } from '../../../core/errors.js';
import { ModelCodecs } from '../../../models/artifact/codecs.js';
import type { Backend } from '../../../numeric/backend.js';
import { balancerByName } from '../../../serving/balancing/balancers.js';
import { LruCache } from '../../../serving/caching/cache.js';
import type { ReplyBucket } from '../../../serving/caching/reply.js';
import { InlineExecutor, type Executor } from '../../../serving/executor.js';
import type { ModelRegistry } from '../../../serving/registry.js';
import { InferenceService } from '../../../serving/service.js';
import { decodeArtifact, isDirectory, readArtifact, resolveInside, scanModelsDir } from '../serving/model-store.js';
import { PromMetrics } from '../serving/prom-metrics.js';
import { nodeScheduler } from '../serving/runtime.js';
import { selectBackend } from '../backends.js';
import { WorkerPool } from '../workers/pool.js';
import { STRATEGY_CODECS_MODULE } from '../workers/strategy-codecs.js';
import {
  DEFAULT_CACHE,
  DEFAULT_SERVER_OPTIONS,
  isLoopback,
  type ResolvedOptions,
  type ServerContext,
  type ServerOptions,
} from './options.js';
import { frameworkError, sendError } from './reply.js';
import { registerOipRoutes } from './routes-oip.js';
import { registerRepositoryRoutes } from './routes-repository.js';

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
  close(): Promise<void>;
}

/** Paths the OIP routes serve, for 405 (wrong method) rather than 404 answers. */
const KNOWN_PATHS: [RegExp, string][] = [
  [/^\/v2\/health\/(live|ready)$/, 'GET'],
  [/^\/v2$/, 'GET'],
  [/^\/v2\/models$/, 'GET'],
  [/^\/v2\/models\/[^/]+(\/versions\/[^/]+)?\/infer$/, 'POST'],
  [/^\/v2\/models\/[^/]+(\/versions\/[^/]+)?(\/ready|\/stats)?$/, 'GET'],
  [/^\/v2\/repository\//, 'POST'],
  [/^\/metrics$/, 'GET'],
];

export function resolveServerOptions(o: ServerOptions): ResolvedOptions {
  const r = { ...DEFAULT_SERVER_OPTIONS, ...o } as ResolvedOptions;
  for (const k of Object.keys(r) as (keyof ServerOptions)[]) if (r[k] === undefined) delete r[k];
  Object.assign(r, { ...DEFAULT_SERVER_OPTIONS, ...r });
  const ints: (keyof ResolvedOptions)[] = [
    'port',
    'workers',
    'maxBatchRows',
    'maxQueueRows',
    'maxInflight',
    'bodyLimit',
    'maxRowsPerRequest',
  ];
  for (const k of ints) {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `${k} must be a non-negative integer, got ${String(v)}`);
    }
  }
  if (!(r.maxQueueDelayUs >= 0)) throw new ElmError('ELM_ERR_INVALID_ARGUMENT', 'maxQueueDelayUs must be ≥ 0');
  if (!(r.pricePerCoreHour >= 0)) throw new ElmError('ELM_ERR_INVALID_ARGUMENT', 'pricePerCoreHour must be ≥ 0');
  if (!balancerByName(r.balancer)) throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `unknown balancer "${r.balancer}"`);
  if (!['reject', 'allow'].includes(r.nonFinite))
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', 'nonFinite must be reject|allow');
  if (!isLoopback(r.host) && !r.token) {
    throw new ElmError(
      'ELM_ERR_UNAUTHORIZED',
      `refusing to listen on non-loopback host ${r.host} without a token (--token)`,
    );
  }
  return r;
}

/**
 * Start an OIP v2 server: the programmatic API behind `elmscale serve`.
 *   const s = await startServer({ port: 0, models: [{ name: 'digits', model }] });  s.url → http://127.0.0.1:PORT
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const o = resolveServerOptions(options);
  const codecs = o.codecs ?? new ModelCodecs();
  const backend: Backend =
    typeof o.backend === 'object' ? o.backend : await selectBackend({ name: o.backend, purpose: 'serving' });
  const ref: { service?: InferenceService } = {};
  let pool: WorkerPool | undefined;
  const metrics = new PromMetrics(
    () => ref.service,
    () => pool?.alive() ?? 0,
    { pricePerCoreHour: o.pricePerCoreHour },
  );
  let executor: Executor;
  if (o.executor) executor = o.executor;
  else if (o.workers > 0) {
    pool = await WorkerPool.create({
      workers: o.workers,
      balancer: balancerByName(o.balancer)!,
      ...(typeof o.backend === 'string' ? { backend: o.backend } : { backend: backend.name }),
      codecs,
      // Workers decode non-ELM kinds from artifact bytes: by default with the strategy codecs (router, moe, int8).
      codecsModule: o.workerCodecsModule ?? STRATEGY_CODECS_MODULE,
      onBusy: (w, s) => metrics.workerBusySeconds(String(w), s),
    });
    // Every worker's series exists from the start (0), so dashboards and rate() see idle workers too.
    for (let w = 0; w < o.workers; w++) metrics.workerBusySeconds(String(w), 0);
    executor = pool;
  } else {
    const inline = new InlineExecutor();
    executor = {
      name: 'inline',
      concurrency: 1,
      load: (k, m) => inline.load(k, m),
      unload: (k) => inline.unload(k),
      run(k, x, rows) {
        const t = performance.now();
        const p = inline.run(k, x, rows);
        metrics.workerBusySeconds('inline', (performance.now() - t) / 1000);
        return p;
      },
      close: () => inline.close(),
    };
  }
  const cacheConfig = o.cache === false ? undefined : { ...DEFAULT_CACHE, ...o.cache };
  const cache = cacheConfig ? new LruCache<Float32Array>({ ...cacheConfig, now: () => Date.now() }) : undefined;
  const replyMaxBytes = cacheConfig?.replyMaxBytes ?? cacheConfig?.maxBytes ?? 0;
  const replyCache =
    cacheConfig && replyMaxBytes > 0
      ? new LruCache<ReplyBucket>({ ...cacheConfig, maxBytes: replyMaxBytes, now: () => Date.now() })
      : undefined;
  const svc = new InferenceService({
    executor,
    scheduler: nodeScheduler,
    wallMs: () => Date.now(),
    batching: {
      maxBatchRows: o.maxBatchRows,
      maxQueueDelayUs: o.maxQueueDelayUs,
      ...(o.adaptiveBatching === false ? { adaptive: false } : {}),
    },
    maxQueueRows: o.maxQueueRows,
    retryAfterS: o.retryAfterS,
    ...(cache ? { cache } : {}),
    ...(replyCache
      ? {
          replyCache,
          bytesEqual: (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b),
        }
      : {}),
    metrics,
  });
  ref.service = svc;

  const loadArtifact: ServerContext['loadArtifact'] = async (name, src, lo = {}) => {
    const bytes = 'bytes' in src ? src.bytes : await readArtifact(await resolveInside(o.modelsDir, src.path));
    const d = decodeArtifact(codecs, bytes, backend);
    const e = await svc.load(
      name,
      { model: d.model, bytes },
      {
        ...(lo.version !== undefined ? { version: lo.version } : {}),
        ...(lo.makeDefault ? { makeDefault: true } : {}),
        contentHash: d.contentHash,
      },
    );
    return { name: e.name, version: e.version, contentHash: d.contentHash };
  };
  const context: ServerContext = { service: svc, metrics, options: o, loadArtifact };

  const app = Fastify({ logger: o.logger ?? false, bodyLimit: o.bodyLimit, return503OnClosing: true });
  try {
    // Initial models.
    for (const m of o.models ?? []) {
      await svc.load(
        m.name,
        { model: m.model, ...(m.bytes ? { bytes: m.bytes } : {}) },
        m.version ? { version: m.version } : {},
      );
    }
    if (o.modelsDir) {
      if (!(await isDirectory(o.modelsDir))) {
        throw new ElmError('ELM_ERR_DATA_NOT_FOUND', `model directory ${o.modelsDir} does not exist`);
      }
      for (const f of await scanModelsDir(o.modelsDir)) {
        await loadArtifact(f.name, { bytes: await readArtifact(f.path) }, { version: f.version });
      }
    }
    for (const f of o.modelFiles ?? []) {
      const name = f.name ?? (f.path.split(/[\\/]/).pop() ?? 'model').replace(/\.elm$/, '');
      await loadArtifact(name, { bytes: await readArtifact(f.path) }, f.version ? { version: f.version } : {});
    }

    // Every body arrives as a Buffer: the infer route reads JSON + binary tensors itself.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.setErrorHandler((err, _req, reply) => {
      const e = err instanceof ElmError ? err : frameworkError(err as { statusCode?: number; message: string });
      return sendError(reply, e, o.retryAfterS);
    });
    app.setNotFoundHandler((req, reply) => {
      const path = req.url.split('?')[0]!;
      const known = KNOWN_PATHS.find(([re]) => re.test(path));
      if (known && known[1] !== req.method) {
        reply.header('allow', known[1]);
        return reply
          .code(405)
          .type('application/json')
          .send(JSON.stringify({ error: `${req.method} is not allowed on ${path}`, code: 'ELM_ERR_BAD_REQUEST' }));
      }
      return sendError(reply, new ElmError('ELM_ERR_MODEL_NOT_FOUND', `no route ${req.method} ${path}`), o.retryAfterS);
    });
    registerOipRoutes(app, context);
    registerRepositoryRoutes(app, context);
    app.get('/metrics', async (_req, reply) => {
      reply.type(metrics.contentType);
      return metrics.text();
    });
    for (const plugin of o.plugins ?? []) await plugin(app, context);
    await app.listen({ host: o.host, port: o.port });
    metrics.resetCpuBaseline();
  } catch (e) {
    await app.close().catch(() => undefined);
    await svc.close().catch(() => undefined);
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
    service: svc,
    registry: svc.registry,
    metrics,
    executor,
    context,
    close: () =>
      (closed ??= (async () => {
        await app.close();
        await svc.close();
      })()),
  };
}
