import { ElmError } from '../core/errors.js';
import type { Model } from '../models/model.js';
import { Batcher } from './batching/batcher.js';
import { adaptiveBatching, dynamicBatching, noBatching, type BatchPolicy } from './batching/policy.js';
import type { CacheStats, ResponseCache } from './caching/cache.js';
import { cacheKey, cachePrefix, replyKey } from './caching/key.js';
import {
  bytesEqual,
  replyBytes,
  withReply,
  type BytesEqual,
  type CachedReply,
  type ReplyBucket,
} from './caching/reply.js';
import type { Executor, ServedModel } from './executor.js';
import { NOOP_METRICS, type ServingMetrics } from './metrics.js';
import { modelIO } from './protocol/model-io.js';
import { checkModelName, ModelRegistry, type ModelEntry } from './registry.js';
import type { Scheduler } from './scheduler.js';
import { add, StatsRecorder } from './stats.js';

export interface BatchingOptions {
  /** Largest batch in rows (1 = batching off). */
  maxBatchRows: number;
  /** Longest wait for a fuller batch, µs (0 = only what arrived together). */
  maxQueueDelayUs: number;
  /** Cap batches at the size measured cheapest per row (default true); false = always up to maxBatchRows. */
  adaptive?: boolean;
}

export interface ServiceOptions {
  executor: Executor;
  scheduler: Scheduler;
  /** Wall clock, ms since the epoch (statistics' last_inference). */
  wallMs: () => number;
  batching?: BatchingOptions;
  /** Overrides `batching` with any policy (one instance per model version). */
  policy?: () => BatchPolicy;
  /** Bound on rows waiting per model version (backpressure). */
  maxQueueRows?: number;
  /** Retry-After hint for overload errors, seconds. */
  retryAfterS?: number;
  /** Tensor level: the parsed input's hash → its input and outputs (the input is compared on every hit). */
  cache?: ResponseCache<TensorEntry>;
  /**
   * First-level cache of whole serialised replies keyed by the request bytes (see caching/reply.ts); transports that
   * serialise replies (HTTP) use it through replyLookup/replyStore. Invalidated with `cache` on reload/unload.
   */
  replyCache?: ResponseCache<ReplyBucket>;
  /** Byte equality for reply-cache hits (default: a portable loop). */
  bytesEqual?: BytesEqual;
  metrics?: ServingMetrics;
}

export interface LoadOptions {
  version?: string;
  /** Replace an existing (name, version) in place (default true); false makes it ELM_ERR_MODEL_EXISTS. */
  replace?: boolean;
  /** Pin this version as the name's default. */
  makeDefault?: boolean;
  contentHash?: string;
}

export interface InferResult {
  out: Float32Array;
  cached: boolean;
  queueUs: number;
  computeUs: number;
}

/** Where a request's reply goes in the reply cache (its key and that key's bucket), and the reply on a hit. */
export interface ReplyLookup {
  key: string;
  bucket?: ReplyBucket;
  hit?: CachedReply;
}

/** A tensor-cache entry: the input it answers (compared on a hit) and the model's outputs. */
export interface TensorEntry {
  input: Float32Array;
  out: Float32Array;
}

export const DEFAULT_BATCHING: BatchingOptions = { maxBatchRows: 64, maxQueueDelayUs: 0 };

/**
 * The runtime-agnostic serving core: a registry of model versions, one batcher per version feeding the executor,
 * the response cache in front, statistics and metrics around. Transports (HTTP, a future NATS one) call infer().
 */
export class InferenceService {
  readonly registry = new ModelRegistry();
  private generation = 0;
  private ops: Promise<unknown> = Promise.resolve();
  private readonly metrics: ServingMetrics;
  private closed = false;

  constructor(readonly o: ServiceOptions) {
    this.metrics = o.metrics ?? NOOP_METRICS;
  }

  get executor(): Executor {
    return this.o.executor;
  }

  get cache(): ResponseCache<TensorEntry> | undefined {
    return this.o.cache;
  }

  get replyCache(): ResponseCache<ReplyBucket> | undefined {
    return this.o.replyCache;
  }

  /** Both cache levels' counters summed (entries, bytes, hits, ...), or undefined with caching off. */
  cacheStats(): CacheStats | undefined {
    const a = this.o.cache?.stats(),
      b = this.o.replyCache?.stats();
    if (!a || !b) return a ?? b;
    const t = { ...a };
    for (const k of Object.keys(t) as (keyof CacheStats)[]) t[k] += b[k];
    return t;
  }

  /** Empty both cache levels; returns the entries dropped. */
  clearCaches(): number {
    const n = (this.o.cache?.stats().entries ?? 0) + (this.o.replyCache?.stats().entries ?? 0);
    this.o.cache?.clear();
    this.o.replyCache?.clear();
    return n;
  }

  /** Serialise registry changes: loads and unloads apply in call order. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.ops.then(fn, fn);
    this.ops = p.catch(() => undefined);
    return p;
  }

  private makePolicy(): BatchPolicy {
    if (this.o.policy) return this.o.policy();
    const b = this.o.batching ?? DEFAULT_BATCHING;
    if (b.maxBatchRows <= 1) return noBatching();
    return b.adaptive === false ? dynamicBatching(b) : adaptiveBatching(b);
  }

  /** Load (or hot-replace) a model version. In-flight requests on a replaced version finish on it. */
  load(name: string, served: ServedModel, opts: LoadOptions = {}): Promise<ModelEntry> {
    return this.serial(async () => {
      if (this.closed) throw new ElmError('ELM_ERR_MODEL_NOT_READY', 'the server is shutting down');
      checkModelName('model name', name);
      const version = checkModelName('version', opts.version ?? '1');
      if (opts.replace === false && this.registry.has(name, version)) {
        throw new ElmError('ELM_ERR_MODEL_EXISTS', `model "${name}" version "${version}" is already loaded`);
      }
      const generation = ++this.generation;
      const key = `${name}@${version}#${generation}`;
      await this.o.executor.load(key, served);
      const model = served.model;
      const batcher = new Batcher((x, rows) => this.o.executor.run(key, x, rows), this.makePolicy(), this.o.scheduler, {
        inputDim: model.inputDim,
        outputDim: model.outputDim,
        maxQueueRows: this.o.maxQueueRows ?? 4096,
        slots: () => this.o.executor.concurrency,
        retryAfterS: this.o.retryAfterS ?? 1,
        onBatch: (b) => {
          entry.stats.batch(b.rows, b.computeUs);
          this.metrics.batch(name, b.rows, b.computeUs / 1e6);
        },
      });
      const entry: ModelEntry = {
        name,
        version,
        key,
        generation,
        model,
        io: modelIO(model),
        contentHash: opts.contentHash ?? '',
        loadedAtMs: this.o.wallMs(),
        batcher,
        stats: new StatsRecorder(),
        cachePrefix: cachePrefix(name, version, generation),
        state: 'ready',
      };
      const old = this.registry.put(entry);
      if (opts.makeDefault) this.registry.setDefault(name, version);
      if (old) await this.retire(old);
      return entry;
    });
  }

  /** Unload one version, or every version of a name. Queued requests finish first. */
  unload(name: string, version?: string): Promise<void> {
    return this.serial(async () => {
      const removed = this.registry.remove(name, version);
      await Promise.all(removed.map((e) => this.retire(e)));
    });
  }

  private async retire(e: ModelEntry): Promise<void> {
    e.state = 'unloading';
    this.o.cache?.invalidate(e.cachePrefix);
    this.o.replyCache?.invalidate(e.cachePrefix);
    await e.batcher.drain();
    await this.o.executor.unload(e.key);
    e.model.dispose();
  }

  resolve(name: string, version?: string): ModelEntry {
    return this.registry.get(name, version);
  }

  /** Ready = not shutting down and at least one model loaded. */
  ready(): boolean {
    return !this.closed && this.registry.names().length > 0;
  }

  /** Outputs (rows×m) for x (rows×d) on a resolved entry: from the cache, else through the batcher. */
  async infer(e: ModelEntry, x: Float32Array, rows: number, timeoutUs?: number): Promise<InferResult> {
    const cache = this.o.cache;
    const t0 = this.o.scheduler.nowUs();
    let key: string | undefined;
    if (cache) {
      key = cacheKey(e.cachePrefix, rows, x);
      const hit = cache.get(key);
      // The key is a 64-bit hash: compare the input itself, so a crafted collision can only miss, never plant an
      // answer for someone else's input.
      const same = hit !== undefined && this.equalInputs(hit.input, x);
      const lookupUs = this.o.scheduler.nowUs() - t0;
      if (same) {
        add(e.stats.cacheHit, lookupUs);
        this.metrics.cache(e.name, true);
        return { out: hit.out, cached: true, queueUs: 0, computeUs: 0 };
      }
      add(e.stats.cacheMiss, lookupUs);
      this.metrics.cache(e.name, false);
    }
    const deadline = timeoutUs !== undefined ? t0 + timeoutUs : Infinity;
    const r = await e.batcher.submit(x, rows, deadline);
    e.stats.inferenceCount += rows;
    add(e.stats.queue, r.queueUs);
    add(e.stats.computeInfer, r.computeUs);
    this.metrics.queueTime(e.name, r.queueUs / 1e6);
    this.metrics.computeTime(e.name, r.computeUs / 1e6);
    if (cache && key !== undefined && e.state === 'ready') {
      const entry: TensorEntry = { input: x.slice(), out: r.out.slice() };
      cache.set(key, entry, entry.input.byteLength + entry.out.byteLength);
    }
    return { out: r.out, cached: false, queueUs: r.queueUs, computeUs: r.computeUs };
  }

  /**
   * Reply-cache lookup for a request body on a resolved entry: the key (to store the reply under after a miss) and
   * the cached reply on a hit. A hit counts as a cache hit in statistics and metrics; a miss counts nothing (the
   * request then goes through infer(), whose tensor-level lookup counts the hit or miss).
   */
  replyLookup(e: ModelEntry, body: Uint8Array, extra: string): ReplyLookup | undefined {
    const rc = this.o.replyCache;
    if (!rc) return undefined;
    const t0 = this.o.scheduler.nowUs();
    const key = replyKey(e.cachePrefix, extra, body);
    const bucket = rc.get(key);
    if (bucket) {
      const equal = this.o.bytesEqual ?? bytesEqual;
      for (const r of bucket) {
        if (r.extra === extra && equal(r.request, body)) {
          add(e.stats.cacheHit, this.o.scheduler.nowUs() - t0);
          this.metrics.cache(e.name, true);
          return { key, bucket, hit: r };
        }
      }
    }
    return bucket ? { key, bucket } : { key };
  }

  /** Keep a successful reply for identical requests (only while the version is still current). */
  replyStore(e: ModelEntry, at: ReplyLookup, reply: CachedReply): void {
    const rc = this.o.replyCache;
    if (!rc || e.state !== 'ready') return;
    const bucket = withReply(at.bucket, reply, this.o.bytesEqual ?? bytesEqual);
    rc.set(
      at.key,
      bucket,
      bucket.reduce((n, r) => n + replyBytes(r), 0),
    );
  }

  private equalInputs(a: Float32Array, b: Float32Array): boolean {
    if (a.length !== b.length) return false;
    const eq = this.o.bytesEqual ?? bytesEqual;
    return eq(
      new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
      new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
    );
  }

  /** Record a finished request (success or failure) in the entry's statistics. */
  record(e: ModelEntry, ok: boolean, totalUs: number): void {
    add(ok ? e.stats.success : e.stats.fail, totalUs);
    if (ok) e.stats.lastInferenceMs = this.o.wallMs();
  }

  /**
   * Served models for per-member usage metrics (strategyMetricSamples): a composite running on workers reports the
   * usage summed over them instead of its idle main-thread copy.
   */
  usageEntries(): { name: string; version: string; model: Model }[] {
    const ex = this.o.executor;
    return this.registry.entries().map((e) => {
      const u = ex.usage?.(e.key);
      const model = u ? (Object.assign(Object.create(e.model) as Model, { usage: () => u }) as Model) : e.model;
      return { name: e.name, version: e.version, model };
    });
  }

  /** Rows waiting per model version (queue depth gauge). */
  queueDepths(): { name: string; version: string; rows: number }[] {
    return this.registry.entries().map((e) => ({ name: e.name, version: e.version, rows: e.batcher.queuedRows }));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.serial(async () => {
      const all = this.registry.entries();
      for (const e of all) this.registry.remove(e.name, e.version);
      await Promise.all(all.map((e) => this.retire(e)));
    });
    await this.o.executor.close();
  }
}
