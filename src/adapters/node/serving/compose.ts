import { relative } from 'node:path';
import { ElmError, toErrorData } from '../../../core/errors.js';
import { ModelCodecs } from '../../../models/artifact/codecs.js';
import type { Backend } from '../../../numeric/backend.js';
import { registerStrategyCodecs } from '../../../strategies/codecs.js';
import { AdmissionLimiter } from '../../../serving/admission.js';
import { balancerByName } from '../../../serving/balancing/balancers.js';
import { LruCache } from '../../../serving/caching/cache.js';
import type { ReplyBucket } from '../../../serving/caching/reply.js';
import { resolveConfig } from '../../../serving/config-check.js';
import { InlineExecutor, type Executor } from '../../../serving/executor.js';
import { createServingContext } from '../../../serving/rest/context.js';
import { InferenceService, type TensorEntry } from '../../../serving/service.js';
import {
  isLoopback,
  PROGRAM_ONLY_OPTIONS,
  type ResolvedOptions,
  type ServerContext,
  type ServerOptions,
} from '../http/options.js';
import { WorkerPool } from '../workers/pool.js';
import { STRATEGY_CODECS_MODULE } from '../workers/strategy-codecs.js';
import { decodeArtifact, isDirectory, readArtifact, resolveInside, scanModelsDir } from './model-store.js';
import { PromMetrics } from './prom-metrics.js';
import { selectBackend } from '../backends.js';
import { nodeScheduler } from './runtime.js';

/**
 * The serving core assembled on Node, before any transport listens: executor (inline or worker pool), both cache
 * levels, the service, admission, the pipeline, metrics, and the context every transport's routes share.
 */
export interface ServingRuntime {
  options: ResolvedOptions;
  context: ServerContext;
  executor: Executor;
  backend: Backend;
  /** Files of the model directory that failed to load (bad artifacts are skipped, not fatal). */
  skipped: SkippedArtifact[];
  close(): Promise<void>;
}

/** Resolve options against the schema (src/serving/config.ts); the program-only ones pass through. */
export function resolveServerOptions(o: ServerOptions): ResolvedOptions {
  const given: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) given[k] = v;
  const backend = given.backend;
  if (typeof backend === 'object') delete given.backend;
  const config = resolveConfig(given, {}, PROGRAM_ONLY_OPTIONS);
  const extra: Partial<ServerOptions> = {};
  for (const k of PROGRAM_ONLY_OPTIONS) if (o[k] !== undefined) Object.assign(extra, { [k]: o[k] });
  return { ...config, ...extra, ...(typeof backend === 'object' ? { backend: backend as Backend } : {}) };
}

async function createExecutor(o: ResolvedOptions, backend: Backend, codecs: ModelCodecs, metrics: PromMetrics) {
  if (o.executor) return { executor: o.executor };
  if (o.workers > 0) {
    const pool = await WorkerPool.create({
      workers: o.workers,
      balancer: balancerByName(o.balancer)!,
      backend: typeof o.backend === 'string' ? o.backend : backend.name,
      codecs,
      // Workers decode non-ELM kinds from artifact bytes: by default with the strategy codecs (router, moe, int8).
      codecsModule: o.workerCodecsModule ?? STRATEGY_CODECS_MODULE,
      onBusy: (w, s) => metrics.workerBusySeconds(String(w), s),
    });
    // Every worker's series exists from the start (0), so dashboards and rate() see idle workers too.
    for (let w = 0; w < o.workers; w++) metrics.workerBusySeconds(String(w), 0);
    return { executor: pool as Executor, pool };
  }
  const inline = new InlineExecutor();
  const executor: Executor = {
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
  return { executor };
}

function createCaches(o: ResolvedOptions) {
  if (!o.cache) return {};
  const base = { maxEntries: o.cacheEntries, ttlMs: o.cacheTtlMs, now: () => Date.now() };
  const replyBytes = o.cacheReplyBytes ?? o.cacheBytes;
  return {
    ...(o.cacheBytes > 0 ? { cache: new LruCache<TensorEntry>({ ...base, maxBytes: o.cacheBytes }) } : {}),
    ...(replyBytes > 0 ? { replyCache: new LruCache<ReplyBucket>({ ...base, maxBytes: replyBytes }) } : {}),
    // memcmp for both levels' hit checks (request bytes, input tensors)
    bytesEqual: (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b),
  };
}

/** Build the serving core and load the initial models (in-process ones, the model directory, model files). */
export async function buildServing(options: ServerOptions = {}): Promise<ServingRuntime> {
  const o = resolveServerOptions(options);
  const codecs = o.codecs ?? registerStrategyCodecs(new ModelCodecs());
  const backend: Backend =
    typeof o.backend === 'object'
      ? o.backend
      : await selectBackend({ purpose: 'serving', ...(o.backend ? { name: o.backend } : {}) });
  const ref: { service?: InferenceService; pool?: WorkerPool } = {};
  const admission = new AdmissionLimiter(o.maxInflight, o.retryAfterS);
  const metrics = new PromMetrics(
    () => ref.service,
    () => ref.pool?.alive() ?? 0,
    { pricePerCoreHour: o.pricePerCoreHour, inflight: () => admission.inflight },
  );
  const { executor, pool } = await createExecutor(o, backend, codecs, metrics);
  ref.pool = pool;
  const service = new InferenceService({
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
    ...createCaches(o),
    metrics,
  });
  ref.service = service;
  const loadArtifact: ServerContext['loadArtifact'] = async (name, src, lo = {}) => {
    const bytes = 'bytes' in src ? src.bytes : await readArtifact(await resolveInside(o.modelsDir, src.path));
    const d = decodeArtifact(codecs, bytes, backend);
    const e = await service.load(
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
  const core = createServingContext({
    service,
    admission,
    metrics,
    name: o.name,
    token: o.token,
    protect: o.protect,
    site: { checkHost: isLoopback(o.host), allowHosts: o.allowHosts, allowOrigins: o.allowOrigins },
    nonFinite: o.nonFinite,
    maxRowsPerRequest: o.maxRowsPerRequest,
    retryAfterS: o.retryAfterS,
    bodyLimit: o.bodyLimit,
    loadArtifact,
    metricsText: async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
  });
  const context: ServerContext = { ...core, metrics, options: o };
  let skipped: SkippedArtifact[];
  try {
    skipped = await loadInitialModels(context);
  } catch (e) {
    await service.close().catch(() => undefined);
    throw e;
  }
  return { options: o, context, executor, backend, skipped, close: () => service.close() };
}

/** A model-directory file that could not be loaded at start (the server starts without it). */
export interface SkippedArtifact {
  /** Path relative to the model directory. */
  file: string;
  code: string;
  message: string;
}

async function loadInitialModels(ctx: ServerContext): Promise<SkippedArtifact[]> {
  const { options: o, service } = ctx;
  const skipped: SkippedArtifact[] = [];
  for (const m of o.models ?? []) {
    await service.load(
      m.name,
      { model: m.model, ...(m.bytes ? { bytes: m.bytes } : {}) },
      m.version ? { version: m.version } : {},
    );
  }
  if (o.modelsDir) {
    if (!(await isDirectory(o.modelsDir))) {
      throw new ElmError('ELM_ERR_DATA_NOT_FOUND', `model directory ${o.modelsDir} does not exist`);
    }
    // One bad file in a directory of many must not keep the others from serving: it is skipped and reported.
    for (const f of await scanModelsDir(o.modelsDir)) {
      try {
        await ctx.loadArtifact(f.name, { bytes: await readArtifact(f.path) }, { version: f.version });
      } catch (e) {
        const d = toErrorData(e);
        skipped.push({ file: relative(o.modelsDir, f.path), code: d.code, message: d.message });
      }
    }
  }
  for (const f of o.modelFiles) {
    const name = f.name ?? (f.path.split(/[\\/]/).pop() ?? 'model').replace(/\.elm$/, '');
    await ctx.loadArtifact(name, { bytes: await readArtifact(f.path) }, f.version ? { version: f.version } : {});
  }
  return skipped;
}
