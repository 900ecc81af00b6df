/**
 * Every `elmscale_*` metric the server exports, in one table: name, type, label names, help text and (histograms)
 * bucket bounds. The Prometheus exporter (adapters/node/serving/prom-*.ts), the strategy usage counters
 * (strategies/usage-metrics.ts) and the load-test scraper (loadtest/prom.ts) all take their names from here.
 *
 * It lives in core/ because its three readers sit in layers that may not import one another (strategies may not
 * import serving; loadtest imports core only). The order of the table is the order of the /metrics exposition.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDef {
  readonly name: string;
  readonly type: MetricType;
  readonly labels: readonly string[];
  readonly help: string;
  /** histograms: upper bounds of the buckets (+Inf is implicit). */
  readonly buckets?: readonly number[];
}

/** Prefix of every elmscale metric, and of Node's default process metrics (prom-client's collectDefaultMetrics). */
export const METRIC_PREFIX = 'elmscale_';

/** Latency histogram bounds, seconds: 25 µs to 10 s. */
export const LATENCY_BUCKETS: readonly number[] = [
  25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 1, 2.5, 10,
];
/** Rows per batch. */
export const BATCH_BUCKETS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

const counter = (name: string, labels: readonly string[], help: string): MetricDef => ({
  name: METRIC_PREFIX + name,
  type: 'counter',
  labels,
  help,
});
const gauge = (name: string, labels: readonly string[], help: string): MetricDef => ({
  name: METRIC_PREFIX + name,
  type: 'gauge',
  labels,
  help,
});
const histogram = (name: string, label: string, buckets: readonly number[], help: string): MetricDef => ({
  name: METRIC_PREFIX + name,
  type: 'histogram',
  labels: [label],
  help,
  buckets,
});

const MODEL = ['model'];
const MEMBER = ['model', 'version', 'member'];

/** Server core: per-request series, scrape-time gauges of the service, CPU and cost. */
export const SERVER_METRICS = {
  requests: counter('requests_total', ['model', 'outcome'], 'Inference requests by model and outcome.'),
  requestDuration: histogram(
    'request_duration_seconds',
    'model',
    LATENCY_BUCKETS,
    'End-to-end inference latency (parse to response).',
  ),
  queueDuration: histogram('queue_duration_seconds', 'model', LATENCY_BUCKETS, 'Time a request waited for its batch.'),
  computeDuration: histogram(
    'compute_duration_seconds',
    'model',
    LATENCY_BUCKETS,
    'Compute time of the batch a request ran in.',
  ),
  batchSize: histogram('batch_size_rows', 'model', BATCH_BUCKETS, 'Rows per executed batch.'),
  cacheHits: counter('cache_hits_total', MODEL, 'Response cache hits.'),
  cacheMisses: counter('cache_misses_total', MODEL, 'Response cache misses.'),
  inflightRequests: gauge('inflight_requests', [], 'Inference requests being served now (concurrent users).'),
  workerBusy: counter(
    'worker_busy_seconds_total',
    ['worker'],
    'Compute time per inference worker (inline = the event loop).',
  ),
  queueDepth: gauge('queue_depth_rows', ['model', 'version'], 'Rows waiting in each model version queue.'),
  modelsLoaded: gauge('models_loaded', [], 'Model versions loaded.'),
  cacheEntries: gauge('cache_entries', [], 'Entries in the response cache.'),
  cacheBytes: gauge('cache_bytes', [], 'Bytes held by the response cache.'),
  workers: gauge('workers', [], 'Live inference workers (0 = inline mode).'),
  cpuUtilization: gauge(
    'cpu_utilization_ratio',
    [],
    'Process CPU time over wall time and cores since the previous scrape (0..1).',
  ),
  cpuSecondsPerRequest: gauge(
    'cpu_seconds_per_request',
    [],
    'Process CPU-seconds since start divided by inference requests answered.',
  ),
  pricePerCoreHour: gauge('price_per_core_hour', [], 'Configured price of one core-hour (--price-per-core-hour).'),
  costPerQuery: gauge('cost_per_query', [], 'CPU-seconds per request × price per core-hour / 3600.'),
  costPerMillionQueries: gauge('cost_per_million_queries', [], 'Cost per query × 1e6.'),
} as const satisfies Record<string, MetricDef>;

const modelCostPerQuery = gauge(
  'model_cost_per_query',
  MODEL,
  "Cost per query of each model: (its compute s/query + the server's non-compute CPU s/request) × price per core-hour / 3600.",
);

/** Per model: compute and cost per query. */
export const MODEL_COST_METRICS = {
  computeSecondsPerQuery: gauge(
    'model_compute_seconds_per_query',
    MODEL,
    "Compute seconds per query (row) of each model: its batches' compute time / rows.",
  ),
  costPerQuery: modelCostPerQuery,
  costPerMillionQueries: gauge('model_cost_per_million_queries', MODEL, `${modelCostPerQuery.name} × 1e6.`),
} as const satisfies Record<string, MetricDef>;

/** Per member of routers and mixtures, and multiply-adds per query of every model (strategies/usage-metrics.ts). */
export const STRATEGY_METRICS = {
  memberRows: counter('member_rows_total', MEMBER, 'Rows each member of a router/mixture computed (router: answered).'),
  memberShare: gauge(
    'member_share_ratio',
    MEMBER,
    'Share of queries per member (router: share answered by small/large; moe: experts activated per query).',
  ),
  modelQueries: counter('model_queries_total', MEMBER, 'Rows predicted by a composite model since it was loaded.'),
  modelFlopsPerQuery: gauge(
    'model_flops_per_query',
    MEMBER,
    'Multiply-adds per query actually spent (composites: measured; others: flopsPerRow).',
  ),
} as const satisfies Record<string, MetricDef>;

/** A cluster node's HTTP front (cluster/node.ts forwardingFront): where each inference request was answered. */
export const CLUSTER_METRICS = {
  clusterRequests: counter(
    'cluster_requests_total',
    ['path'],
    "Inference requests through a cluster node's front by path: local (answered here) or forwarded (over NATS).",
  ),
} as const satisfies Record<string, MetricDef>;

/**
 * Node's default process metrics that elmscale reads back (prom-client registers them with METRIC_PREFIX; the rest
 * of that family — memory, event loop lag, GC — is prom-client's and not listed here).
 */
export const PROCESS_METRICS = {
  cpuSeconds: counter('process_cpu_seconds_total', [], 'Total user and system CPU time spent in seconds.'),
} as const satisfies Record<string, MetricDef>;

/** The whole catalogue, in exposition order (the default process metrics come first: they are registered first). */
export const METRIC_CATALOGUE: readonly MetricDef[] = [
  ...Object.values(PROCESS_METRICS),
  ...Object.values(SERVER_METRICS),
  ...Object.values(MODEL_COST_METRICS),
  ...Object.values(STRATEGY_METRICS),
  ...Object.values(CLUSTER_METRICS),
];

/** The `_sum` / `_count` / `_bucket` series of a histogram. */
export function histogramSeries(def: MetricDef, part: 'sum' | 'count' | 'bucket'): string {
  return `${def.name}_${part}`;
}
