/**
 * Reading a server's Prometheus text exposition (/metrics) before and after a load step, and deriving what the
 * step cost the server: CPU-seconds, utilisation, requests answered, cost per query.
 */
import { METRIC_PREFIX, PROCESS_METRICS, SERVER_METRICS, histogramSeries } from '../core/metric-catalogue.js';

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s); // NaN stays NaN
}

/** Parse the text exposition format (comments and malformed lines are skipped). */
export function parsePrometheus(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[3]) {
      for (const l of m[3].matchAll(LABEL))
        labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    out.push({ name: m[1], labels, value: parseValue(m[4]) });
  }
  return out;
}

/** Sum of every sample of a metric whose labels include `match` (undefined when the metric is absent). */
export function sumMetric(samples: PromSample[], name: string, match: Record<string, string> = {}): number | undefined {
  let found = false;
  let s = 0;
  for (const x of samples) {
    if (x.name !== name) continue;
    if (Object.entries(match).some(([k, v]) => x.labels[k] !== v)) continue;
    found = true;
    s += x.value;
  }
  return found ? s : undefined;
}

const { requests, cpuUtilization, workers, pricePerCoreHour, cacheHits, cacheMisses, batchSize } = SERVER_METRICS;
const cpuSeconds = PROCESS_METRICS.cpuSeconds.name;

/** The metric names the benchmark reads from a server's /metrics: elmscale's (core/metric-catalogue.ts). */
export const METRIC = {
  cpuSeconds,
  /** The same counter without our prefix, as other servers' Node/Python clients export it. */
  cpuSecondsPlain: cpuSeconds.slice(METRIC_PREFIX.length),
  utilisation: cpuUtilization.name,
  requests: requests.name,
  workers: workers.name,
  pricePerCoreHour: pricePerCoreHour.name,
  cacheHits: cacheHits.name,
  cacheMisses: cacheMisses.name,
  batchSum: histogramSeries(batchSize, 'sum'),
  batchCount: histogramSeries(batchSize, 'count'),
} as const;

/** One scrape, reduced to the counters the benchmark needs. */
export interface ServerSnapshot {
  /** Wall time of the scrape, ms (caller's clock). */
  atMs: number;
  cpuSeconds?: number;
  /** The server's own utilisation gauge (since its previous scrape), 0..1. */
  utilisation?: number;
  requests?: number;
  shed?: number;
  cacheHits?: number;
  cacheMisses?: number;
  batches?: number;
  batchRows?: number;
}

export function snapshot(text: string, atMs: number): ServerSnapshot {
  const s = parsePrometheus(text);
  return {
    atMs,
    cpuSeconds: sumMetric(s, METRIC.cpuSeconds) ?? sumMetric(s, METRIC.cpuSecondsPlain),
    utilisation: sumMetric(s, METRIC.utilisation),
    requests: sumMetric(s, METRIC.requests),
    shed: sumMetric(s, METRIC.requests, { outcome: 'overloaded' }),
    cacheHits: sumMetric(s, METRIC.cacheHits),
    cacheMisses: sumMetric(s, METRIC.cacheMisses),
    batches: sumMetric(s, METRIC.batchCount),
    batchRows: sumMetric(s, METRIC.batchSum),
  };
}

/** What a step cost the server, from the scrapes around it. Fields are null when the server does not export them. */
export interface ServerStepStats {
  cpuSeconds: number | null;
  /** Process CPU over wall time and the server's cores, 0..1. */
  cpuUtilisation: number | null;
  /** Requests the server counted during the step. */
  requests: number | null;
  cpuSecondsPerQuery: number | null;
  costPerQuery: number | null;
  costPerMillion: number | null;
  cacheHitRatio: number | null;
  meanBatchRows: number | null;
}

function delta(a: number | undefined, b: number | undefined): number | null {
  return a === undefined || b === undefined ? null : Math.max(0, b - a);
}

/**
 * Derive a step's server cost. `cores` divides CPU-seconds into utilisation when the server's own gauge is absent;
 * `answered` (requests the client saw answered) is used when the server does not count requests.
 */
export function serverStep(
  before: ServerSnapshot | undefined,
  after: ServerSnapshot | undefined,
  o: { pricePerCoreHour: number; cores: number; answered: number },
): ServerStepStats {
  const empty: ServerStepStats = {
    cpuSeconds: null,
    cpuUtilisation: null,
    requests: null,
    cpuSecondsPerQuery: null,
    costPerQuery: null,
    costPerMillion: null,
    cacheHitRatio: null,
    meanBatchRows: null,
  };
  if (!before || !after) return empty;
  const cpu = delta(before.cpuSeconds, after.cpuSeconds);
  const wallS = (after.atMs - before.atMs) / 1000;
  const requests = delta(before.requests, after.requests);
  const util =
    after.utilisation !== undefined
      ? after.utilisation
      : cpu !== null && wallS > 0
        ? Math.min(1, cpu / wallS / Math.max(1, o.cores))
        : null;
  const n = requests !== null && requests > 0 ? requests : o.answered;
  const perQ = cpu !== null && n > 0 ? cpu / n : null;
  const cost = perQ !== null ? (perQ * o.pricePerCoreHour) / 3600 : null;
  const hits = delta(before.cacheHits, after.cacheHits);
  const misses = delta(before.cacheMisses, after.cacheMisses);
  const batches = delta(before.batches, after.batches);
  const rows = delta(before.batchRows, after.batchRows);
  return {
    cpuSeconds: cpu,
    cpuUtilisation: util,
    requests,
    cpuSecondsPerQuery: perQ,
    costPerQuery: cost,
    costPerMillion: cost === null ? null : cost * 1e6,
    cacheHitRatio: hits !== null && misses !== null && hits + misses > 0 ? hits / (hits + misses) : null,
    meanBatchRows: batches !== null && rows !== null && batches > 0 ? rows / batches : null,
  };
}
