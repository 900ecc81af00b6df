import { availableParallelism } from 'node:os';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ServingMetrics, Outcome } from '../../../serving/metrics.js';
import type { InferenceService } from '../../../serving/service.js';
import { FastCounter, FastHistogram, type CounterSeries, type HistogramSeries } from './prom-fast.js';
import { registerModelCostGauges, registerStrategyGauges, type ModelCost } from './prom-model-metrics.js';

const LATENCY_BUCKETS = [
  25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 1, 2.5, 10,
];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** A model's series, each created on first use (as prom-client would: no all-zero series for unused ones). */
interface ModelSeries {
  ok?: CounterSeries;
  total?: HistogramSeries;
  queue?: HistogramSeries;
  compute?: HistogramSeries;
  batch?: HistogramSeries;
  hits?: CounterSeries;
  misses?: CounterSeries;
}

export interface PromMetricsOptions {
  /** Price of one core for one hour (any currency unit), for cost per query. */
  pricePerCoreHour: number;
  /** Node's default process metrics (CPU, memory, event loop lag, GC) with the elmscale_ prefix. */
  defaultMetrics?: boolean;
  /** Inference requests being served now (the admission limiter's count), read at scrape time. */
  inflight?: () => number;
}

/**
 * Prometheus metrics of one server (its own Registry, never the global one). Request, queue and compute
 * latency histograms; in-flight and queue depth; batch sizes; cache hits/misses; workers and their busy time;
 * CPU utilisation; and cost per query = CPU-seconds per request × price per core-hour / 3600.
 */
export class PromMetrics implements ServingMetrics {
  readonly registry = new Registry();
  private readonly requests: FastCounter;
  private readonly total: FastHistogram;
  private readonly queue: FastHistogram;
  private readonly compute: FastHistogram;
  private readonly batchSize: FastHistogram;
  private readonly cacheHits: FastCounter;
  private readonly cacheMisses: FastCounter;
  private readonly workerBusy: FastCounter;
  /** Per model: its series, looked up once per request by one Map.get. */
  private readonly children = new Map<string, ModelSeries>();
  private cpu0 = process.cpuUsage();
  private lastCpu = process.cpuUsage();
  private lastWall = performance.now();
  private okRequests = 0;
  private allRequests = 0;
  /** Per model: rows computed and batch compute seconds (for compute and cost per query per model). */
  private readonly modelCompute = new Map<string, { rows: number; seconds: number }>();
  private computeSecondsAll = 0;

  constructor(
    private readonly service: () => InferenceService | undefined,
    private readonly workers: () => number,
    private readonly o: PromMetricsOptions,
  ) {
    const r = this.registry;
    if (o.defaultMetrics ?? true) collectDefaultMetrics({ register: r, prefix: 'elmscale_' });
    this.requests = new FastCounter(
      'elmscale_requests_total',
      'Inference requests by model and outcome.',
      ['model', 'outcome'],
      r,
    );
    this.total = new FastHistogram(
      'elmscale_request_duration_seconds',
      'End-to-end inference latency (parse to response).',
      'model',
      LATENCY_BUCKETS,
      r,
    );
    this.queue = new FastHistogram(
      'elmscale_queue_duration_seconds',
      'Time a request waited for its batch.',
      'model',
      LATENCY_BUCKETS,
      r,
    );
    this.compute = new FastHistogram(
      'elmscale_compute_duration_seconds',
      'Compute time of the batch a request ran in.',
      'model',
      LATENCY_BUCKETS,
      r,
    );
    this.batchSize = new FastHistogram(
      'elmscale_batch_size_rows',
      'Rows per executed batch.',
      'model',
      BATCH_BUCKETS,
      r,
    );
    this.cacheHits = new FastCounter('elmscale_cache_hits_total', 'Response cache hits.', ['model'], r);
    this.cacheMisses = new FastCounter('elmscale_cache_misses_total', 'Response cache misses.', ['model'], r);
    const inflightNow = o.inflight ?? ((): number => 0);
    new Gauge({
      name: 'elmscale_inflight_requests',
      help: 'Inference requests being served now (concurrent users).',
      registers: [r],
      collect() {
        this.set(inflightNow());
      },
    });
    this.workerBusy = new FastCounter(
      'elmscale_worker_busy_seconds_total',
      'Compute time per inference worker (inline = the event loop).',
      ['worker'],
      r,
    );
    const svc = this.service;
    new Gauge({
      name: 'elmscale_queue_depth_rows',
      help: 'Rows waiting in each model version queue.',
      labelNames: ['model', 'version'],
      registers: [r],
      collect() {
        this.reset();
        for (const q of svc()?.queueDepths() ?? []) this.set({ model: q.name, version: q.version }, q.rows);
      },
    });
    new Gauge({
      name: 'elmscale_models_loaded',
      help: 'Model versions loaded.',
      registers: [r],
      collect() {
        this.set(svc()?.registry.entries().length ?? 0);
      },
    });
    new Gauge({
      name: 'elmscale_cache_entries',
      help: 'Entries in the response cache.',
      registers: [r],
      collect() {
        this.set(svc()?.cacheStats()?.entries ?? 0);
      },
    });
    new Gauge({
      name: 'elmscale_cache_bytes',
      help: 'Bytes held by the response cache.',
      registers: [r],
      collect() {
        this.set(svc()?.cacheStats()?.bytes ?? 0);
      },
    });
    const workersFn = this.workers;
    new Gauge({
      name: 'elmscale_workers',
      help: 'Live inference workers (0 = inline mode).',
      registers: [r],
      collect() {
        this.set(workersFn());
      },
    });
    const utilisation = (): number => this.utilisation();
    const cpuPerRequest = (): number => this.cpuPerRequest();
    new Gauge({
      name: 'elmscale_cpu_utilization_ratio',
      help: 'Process CPU time over wall time and cores since the previous scrape (0..1).',
      registers: [r],
      collect() {
        this.set(utilisation());
      },
    });
    new Gauge({
      name: 'elmscale_cpu_seconds_per_request',
      help: 'Process CPU-seconds since start divided by inference requests answered.',
      registers: [r],
      collect() {
        this.set(cpuPerRequest());
      },
    });
    new Gauge({
      name: 'elmscale_price_per_core_hour',
      help: 'Configured price of one core-hour (--price-per-core-hour).',
      registers: [r],
      collect() {
        this.set(o.pricePerCoreHour);
      },
    });
    new Gauge({
      name: 'elmscale_cost_per_query',
      help: 'CPU-seconds per request × price per core-hour / 3600.',
      registers: [r],
      collect() {
        this.set((cpuPerRequest() * o.pricePerCoreHour) / 3600);
      },
    });
    new Gauge({
      name: 'elmscale_cost_per_million_queries',
      help: 'Cost per query × 1e6.',
      registers: [r],
      collect() {
        this.set(((cpuPerRequest() * o.pricePerCoreHour) / 3600) * 1e6);
      },
    });
    this.registerModelCost(r);
    this.registerStrategyMetrics(r);
  }

  /**
   * Per model: compute-seconds per query (its batches' compute time ÷ rows) and cost per query = (that + the
   * server's non-compute CPU-seconds per request, shared evenly) × price per core-hour / 3600.
   */
  private modelCostPerQuery(): ModelCost[] {
    const overhead =
      this.allRequests > 0 ? Math.max(0, this.cpuSecondsSinceStart() - this.computeSecondsAll) / this.allRequests : 0;
    return [...this.modelCompute].map(([model, c]) => {
      const compute = c.rows > 0 ? c.seconds / c.rows : 0;
      return { model, compute, cost: ((compute + overhead) * this.o.pricePerCoreHour) / 3600 };
    });
  }

  private registerModelCost(r: Registry): void {
    registerModelCostGauges(r, () => this.modelCostPerQuery());
  }

  /** Per-member metrics of routers and mixtures; workers' counters are summed (InferenceService.usageEntries). */
  private registerStrategyMetrics(r: Registry): void {
    const svc = this.service;
    registerStrategyGauges(r, () => svc()?.usageEntries() ?? []);
  }

  /** Start CPU accounting now (after startup work such as training demo models). */
  resetCpuBaseline(): void {
    this.cpu0 = process.cpuUsage();
    this.allRequests = 0;
    this.okRequests = 0;
    this.modelCompute.clear();
    this.computeSecondsAll = 0;
  }

  cpuSecondsSinceStart(): number {
    const u = process.cpuUsage(this.cpu0);
    return (u.user + u.system) / 1e6;
  }

  cpuPerRequest(): number {
    return this.allRequests === 0 ? 0 : this.cpuSecondsSinceStart() / this.allRequests;
  }

  private utilisation(): number {
    const u = process.cpuUsage(this.lastCpu);
    const now = performance.now();
    const wall = (now - this.lastWall) / 1000;
    this.lastCpu = process.cpuUsage();
    this.lastWall = now;
    return wall <= 0 ? 0 : Math.min(1, (u.user + u.system) / 1e6 / wall / availableParallelism());
  }

  private child(model: string): ModelSeries {
    let c = this.children.get(model);
    if (!c) this.children.set(model, (c = {}));
    return c;
  }

  requestFinished(model: string, outcome: Outcome, totalS: number): void {
    this.allRequests++;
    const c = this.child(model);
    if (outcome === 'success') {
      this.okRequests++;
      (c.ok ??= this.requests.series(model, 'success')).value++;
    } else this.requests.series(model, outcome).value++;
    (c.total ??= this.total.series(model)).observe(totalS);
  }
  queueTime(model: string, s: number): void {
    const c = this.child(model);
    (c.queue ??= this.queue.series(model)).observe(s);
  }
  computeTime(model: string, s: number): void {
    const c = this.child(model);
    (c.compute ??= this.compute.series(model)).observe(s);
  }
  batch(model: string, rows: number, computeS = 0): void {
    const c = this.child(model);
    (c.batch ??= this.batchSize.series(model)).observe(rows);
    let m = this.modelCompute.get(model);
    if (!m) this.modelCompute.set(model, (m = { rows: 0, seconds: 0 }));
    m.rows += rows;
    m.seconds += computeS;
    this.computeSecondsAll += computeS;
  }
  cache(model: string, hit: boolean): void {
    const c = this.child(model);
    if (hit) (c.hits ??= this.cacheHits.series(model)).value++;
    else (c.misses ??= this.cacheMisses.series(model)).value++;
  }
  workerBusySeconds(worker: string, s: number): void {
    this.workerBusy.series(worker).value += s;
  }

  /** Forget children of unloaded models (bounded label sets). */
  forget(model: string): void {
    this.children.delete(model);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
