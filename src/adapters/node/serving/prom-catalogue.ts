import { Counter, Gauge, type Registry } from 'prom-client';
import type { MetricDef } from '../../../core/metric-catalogue.js';
import { FastCounter, FastHistogram } from './prom-fast.js';

/* prom-client metrics built from entries of the metric catalogue (core/metric-catalogue.ts): name, help, labels
 * and buckets come from there, never from a string here. */

/** A per-request counter (prom-fast.ts). */
export function fastCounter(def: MetricDef, r: Registry): FastCounter {
  return new FastCounter(def.name, def.help, def.labels, r);
}

/** A per-request histogram with one label (prom-fast.ts). */
export function fastHistogram(def: MetricDef, r: Registry): FastHistogram {
  if (def.type !== 'histogram' || def.labels.length !== 1 || !def.buckets)
    throw new TypeError(`${def.name} is not a one-label histogram`);
  return new FastHistogram(def.name, def.help, def.labels[0]!, def.buckets, r);
}

/** A gauge without labels, read at scrape time. */
export function scalarGauge(def: MetricDef, r: Registry, read: () => number): void {
  new Gauge({
    name: def.name,
    help: def.help,
    registers: [r],
    collect() {
      this.set(read());
    },
  });
}

/** One labelled sample of a scrape-time metric. */
export interface LabelledValue {
  labels: Record<string, string>;
  value: number;
}

/**
 * A labelled counter or gauge whose samples are recomputed at each scrape (reset, then set from `read()`): for
 * values another part of the server keeps (queue depths, per-model cost, strategy usage).
 */
export function scrapedMetric(def: MetricDef, r: Registry, read: () => Iterable<LabelledValue>): void {
  const config = { name: def.name, help: def.help, labelNames: [...def.labels], registers: [r] };
  if (def.type === 'counter') {
    new Counter({
      ...config,
      collect() {
        this.reset();
        for (const x of read()) this.inc(x.labels, x.value);
      },
    });
  } else {
    new Gauge({
      ...config,
      collect() {
        this.reset();
        for (const x of read()) this.set(x.labels, x.value);
      },
    });
  }
}
