import type { Model } from '../models/model.js';
import { isCompositeModel } from './composite.js';

/** One metric sample, ready for a Prometheus gauge: elmscale_<metric>{labels} value. */
export interface MetricSample {
  metric: string;
  labels: Record<string, string>;
  value: number;
}

export const STRATEGY_METRICS: Record<string, string> = {
  elmscale_member_rows_total: 'Rows each member of a router/mixture computed (router: answered).',
  elmscale_member_share_ratio:
    'Share of queries per member (router: share answered by small/large; moe: experts activated per query).',
  elmscale_model_queries_total: 'Rows predicted by a composite model since it was loaded.',
  elmscale_model_flops_per_query: 'Multiply-adds per query actually spent (composites: measured; others: flopsPerRow).',
};

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
      out.push({ metric: 'elmscale_model_flops_per_query', labels: base, value: e.model.flopsPerRow });
      continue;
    }
    const u = e.model.usage();
    out.push({ metric: 'elmscale_model_queries_total', labels: base, value: u.queries });
    out.push({
      metric: 'elmscale_model_flops_per_query',
      labels: base,
      value: u.queries > 0 ? u.flops / u.queries : e.model.flopsPerRow,
    });
    for (const m of u.members) {
      const labels = { ...base, member: m.role };
      out.push({ metric: 'elmscale_member_rows_total', labels, value: m.rows });
      out.push({ metric: 'elmscale_member_share_ratio', labels, value: m.share });
    }
  }
  return out;
}
