import { availableParallelism } from 'node:os';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { CLUSTER_METRICS, METRIC_PREFIX, SERVER_METRICS as M } from '../../../core/metric-catalogue.js';
import type { ServingMetrics, Outcome } from '../../../serving/metrics.js';
import type { InferenceService } from '../../../serving/service.js';
import { fastCounter, fastHistogram, scalarGauge, scrapedMetric } from './prom-catalogue.js';
import type { CounterSeries, FastCounter, FastHistogram, HistogramSeries } from './prom-fast.js';
import { registerModelCostGauges, registerStrategyGauges, type ModelCost } from './prom-model-metrics.js';

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
  /** Cluster fronts only: requests answered here vs forwarded (series created on first use). */
  private readonly clusterRequests: FastCounter;
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
    // Registration order is exposition order: the catalogue's order (core/metric-catalogue.ts).
    if (o.defaultMetrics ?? true) collectDefaultMetrics({ register: r, prefix: METRIC_PREFIX });
    this.requests = fastCounter(M.requests, r);
    this.total = fastHistogram(M.requestDuration, r);
    this.queue = fastHistogram(M.queueDuration, r);
    this.compute = fastHistogram(M.computeDuration, r);
    this.batchSize = fastHistogram(M.batchSize, r);
    this.cacheHits = fastCounter(M.cacheHits, r);
    this.cacheMisses = fastCounter(M.cacheMisses, r);
    scalarGauge(M.inflightRequests, r, o.inflight ?? (() => 0));
    this.workerBusy = fastCounter(M.workerBusy, r);
    this.registerServiceGauges(r);
    this.registerCostGauges(r);
    registerModelCostGauges(r, () => this.modelCostPerQuery());
    // Per-member metrics of routers and mixtures; workers' counters are summed (InferenceService.usageEntries).
    registerStrategyGauges(r, () => this.service()?.usageEntries() ?? []);
    this.clusterRequests = fastCounter(CLUSTER_METRICS.clusterRequests, r);
  }

  /** What the service holds, read at scrape time: queue depths, models, cache size, workers. */
  private registerServiceGauges(r: Registry): void {
    const svc = this.service;
    scrapedMetric(M.queueDepth, r, () =>
      (svc()?.queueDepths() ?? []).map((q) => ({ labels: { model: q.name, version: q.version }, value: q.rows })),
    );
    scalarGauge(M.modelsLoaded, r, () => svc()?.registry.entries().length ?? 0);
    scalarGauge(M.cacheEntries, r, () => svc()?.cacheStats()?.entries ?? 0);
    scalarGauge(M.cacheBytes, r, () => svc()?.cacheStats()?.bytes ?? 0);
    scalarGauge(M.workers, r, this.workers);
  }

  /** CPU utilisation, CPU per request, and cost per query = CPU-seconds per request × price per core-hour / 3600. */
  private registerCostGauges(r: Registry): void {
    const price = (): number => this.o.pricePerCoreHour;
    const costPerQuery = (): number => (this.cpuPerRequest() * price()) / 3600;
    scalarGauge(M.cpuUtilization, r, () => this.utilisation());
    scalarGauge(M.cpuSecondsPerRequest, r, () => this.cpuPerRequest());
    scalarGauge(M.pricePerCoreHour, r, price);
    scalarGauge(M.costPerQuery, r, costPerQuery);
    scalarGauge(M.costPerMillionQueries, r, () => costPerQuery() * 1e6);
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
  /** A cluster node's front routed one request: answered here, or forwarded to another node. */
  clusterRoute(path: 'local' | 'forwarded'): void {
    this.clusterRequests.series(path).value++;
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
