import { STRATEGY_METRICS } from '../core/metric-catalogue.js';
import type { Model } from '../models/model.js';
import { isCompositeModel } from './composite.js';

/** One metric sample, ready for a Prometheus gauge: `metric` is a catalogue name (STRATEGY_METRICS). */
export interface MetricSample {
  metric: string;
  labels: Record<string, string>;
  value: number;
}

/** The metrics these samples feed (names, types, labels, help): entries of the one metric catalogue. */
export { STRATEGY_METRICS };

const { memberRows, memberShare, modelQueries, modelFlopsPerQuery } = STRATEGY_METRICS;

/**
 * Per-member traffic and compute per query of served models — platform-free, so any metrics adapter (the Node
 * prom-client exporter, a browser dashboard) can expose it. Costs per query per model follow as
 * flops_per_query × (CPU-seconds per multiply-add).
 */
export function strategyMetricSamples(
  entries: readonly { name: string; version: string; model: Model }[],
): MetricSample[] {
  const out: MetricSample[] = [];
  for (const e of entries) {
    const base = { model: e.name, version: e.version };
    if (!isCompositeModel(e.model)) {
      out.push({ metric: modelFlopsPerQuery.name, labels: base, value: e.model.flopsPerRow });
      continue;
    }
    const u = e.model.usage();
    out.push({ metric: modelQueries.name, labels: base, value: u.queries });
    out.push({
      metric: modelFlopsPerQuery.name,
      labels: base,
      value: u.queries > 0 ? u.flops / u.queries : e.model.flopsPerRow,
    });
    for (const m of u.members) {
      const labels = { ...base, member: m.role };
      out.push({ metric: memberRows.name, labels, value: m.rows });
      out.push({ metric: memberShare.name, labels, value: m.share });
    }
  }
  return out;
}
