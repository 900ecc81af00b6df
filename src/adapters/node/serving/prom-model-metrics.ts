import { Counter, Gauge, type Registry } from 'prom-client';
import { STRATEGY_METRICS, strategyMetricSamples } from '../../../strategies/usage-metrics.js';

/** Per-model metric families of the server's registry, split out of prom-metrics.ts (which holds the core ones). */
export interface ModelCost {
  model: string;
  /** Compute seconds per query (row). */
  compute: number;
  /** Cost per query in the price unit. */
  cost: number;
}

/** elmscale_model_{compute_seconds,cost}_per_query and cost per 1M, recomputed from `perQuery` at each scrape. */
export function registerModelCostGauges(r: Registry, perQuery: () => ModelCost[]): void {
  const families: [string, string, (q: ModelCost) => number][] = [
    [
      'elmscale_model_compute_seconds_per_query',
      "Compute seconds per query (row) of each model: its batches' compute time / rows.",
      (q) => q.compute,
    ],
    [
      'elmscale_model_cost_per_query',
      "Cost per query of each model: (its compute s/query + the server's non-compute CPU s/request) × price per core-hour / 3600.",
      (q) => q.cost,
    ],
    ['elmscale_model_cost_per_million_queries', 'elmscale_model_cost_per_query × 1e6.', (q) => q.cost * 1e6],
  ];
  for (const [name, help, value] of families) {
    new Gauge({
      name,
      help,
      labelNames: ['model'],
      registers: [r],
      collect() {
        this.reset();
        for (const q of perQuery()) this.set({ model: q.model }, value(q));
      },
    });
  }
}

/**
 * Per-member metrics of routers and mixtures (strategies/usage-metrics.ts): rows and share per member (router: share
 * answered by the small model; mixture: experts activated per query), queries, and multiply-adds per query.
 */
export function registerStrategyGauges(r: Registry, entries: () => Parameters<typeof strategyMetricSamples>[0]): void {
  const samples = (metric: string) => strategyMetricSamples(entries()).filter((x) => x.metric === metric);
  for (const [name, help] of Object.entries(STRATEGY_METRICS)) {
    const labelNames = ['model', 'version', 'member'];
    if (name.endsWith('_total')) {
      new Counter({
        name,
        help,
        labelNames,
        registers: [r],
        collect() {
          this.reset();
          for (const x of samples(name)) this.inc(x.labels, x.value);
        },
      });
    } else {
      new Gauge({
        name,
        help,
        labelNames,
        registers: [r],
        collect() {
          this.reset();
          for (const x of samples(name)) this.set(x.labels, x.value);
        },
      });
    }
  }
}
