import type { Registry } from 'prom-client';
import { MODEL_COST_METRICS, STRATEGY_METRICS } from '../../../core/metric-catalogue.js';
import { strategyMetricSamples } from '../../../strategies/usage-metrics.js';
import { scrapedMetric } from './prom-catalogue.js';

/** Per-model metric families of the server's registry, split out of prom-metrics.ts (which holds the core ones). */
export interface ModelCost {
  model: string;
  /** Compute seconds per query (row). */
  compute: number;
  /** Cost per query in the price unit. */
  cost: number;
}

/** Model compute and cost per query, and cost per 1M, recomputed from `perQuery` at each scrape. */
export function registerModelCostGauges(r: Registry, perQuery: () => ModelCost[]): void {
  const families: [keyof typeof MODEL_COST_METRICS, (q: ModelCost) => number][] = [
    ['computeSecondsPerQuery', (q) => q.compute],
    ['costPerQuery', (q) => q.cost],
    ['costPerMillionQueries', (q) => q.cost * 1e6],
  ];
  for (const [key, value] of families)
    scrapedMetric(MODEL_COST_METRICS[key], r, () =>
      perQuery().map((q) => ({ labels: { model: q.model }, value: value(q) })),
    );
}

/**
 * Per-member metrics of routers and mixtures (strategies/usage-metrics.ts): rows and share per member (router: share
 * answered by the small model; mixture: experts activated per query), queries, and multiply-adds per query.
 */
export function registerStrategyGauges(r: Registry, entries: () => Parameters<typeof strategyMetricSamples>[0]): void {
  for (const def of Object.values(STRATEGY_METRICS))
    scrapedMetric(def, r, () => strategyMetricSamples(entries()).filter((x) => x.metric === def.name));
}
