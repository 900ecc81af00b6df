import type { Registry } from 'prom-client';

/*
 * Per-request metrics that cost next to nothing to record, exported through prom-client at scrape time.
 *
 * Why not prom-client's Histogram/Counter: profiling the digits infer route (64 connections, inline executor)
 * showed prom-client's observe()/inc() — which hash the label object on every call, even through `.labels()`
 * children — at 6–8 % of the server's non-idle CPU, a few µs per request on a ~60 µs request. These classes keep
 * plain counters (a Float64Array of bucket counts per label set, looked up once per label value) and build the same
 * metric family prom-client would (same names, labels in the same order, same buckets, `_bucket`/`_sum`/`_count`)
 * only when /metrics is scraped. The registry treats them like any metric: it calls get() (see
 * test/serving/prom-fast.test.ts, which checks the text is identical to prom-client's for the same observations).
 */

type Labels = Record<string, string | number>;
interface MetricValue {
  labels: Labels;
  value: number;
  metricName?: string;
}
interface MetricData {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  values: MetricValue[];
  aggregator: 'sum';
}

abstract class FastMetric {
  readonly aggregator = 'sum' as const;
  abstract readonly type: 'counter' | 'histogram';
  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    // prom-client's Registry.registerMetric only needs name/help/type/get()/reset(); its typings want its Metric.
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }
  abstract values(): MetricValue[];
  abstract reset(): void;
  get(): Promise<MetricData> {
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values: this.values(),
      aggregator: this.aggregator,
    });
  }
}

/** One histogram series: non-cumulative bucket counts (the last slot is +Inf), sum and count. */
export class HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(v: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

/** A histogram with one label (`model`, `worker`, ...): `series(value)` once, then `observe()` is a few adds. */
export class FastHistogram extends FastMetric {
  readonly type = 'histogram' as const;
  private readonly series_ = new Map<string, HistogramSeries>();
  constructor(
    name: string,
    help: string,
    private readonly label: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    super(name, help, registry);
  }
  series(value: string): HistogramSeries {
    let s = this.series_.get(value);
    if (!s) this.series_.set(value, (s = new HistogramSeries(this.bounds)));
    return s;
  }
  observe(value: string, v: number): void {
    this.series(value).observe(v);
  }
  remove(value: string): void {
    this.series_.delete(value);
  }
  reset(): void {
    this.series_.clear();
  }
  values(): MetricValue[] {
    const out: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const [lv, s] of this.series_) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += s.counts[i]!;
        out.push({ labels: { le: this.bounds[i]!, [this.label]: lv }, value: acc, metricName: bucket });
      }
      out.push({ labels: { le: '+Inf', [this.label]: lv }, value: s.count, metricName: bucket });
      out.push({ labels: { [this.label]: lv }, value: s.sum, metricName: `${this.name}_sum` });
      out.push({ labels: { [this.label]: lv }, value: s.count, metricName: `${this.name}_count` });
    }
    return out;
  }
}

/** One counter series. */
export class CounterSeries {
  value = 0;
  constructor(readonly labels: Labels) {}
}

/** A counter over a fixed list of label names; `series(...values)` once per label set, then `.value += n`. */
export class FastCounter extends FastMetric {
  readonly type = 'counter' as const;
  private readonly series_ = new Map<string, CounterSeries>();
  constructor(
    name: string,
    help: string,
    private readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    super(name, help, registry);
  }
  series(...values: string[]): CounterSeries {
    const key = values.length === 1 ? values[0]! : values.join('\u0000');
    let s = this.series_.get(key);
    if (!s) {
      const labels: Labels = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i]!));
      this.series_.set(key, (s = new CounterSeries(labels)));
    }
    return s;
  }
  reset(): void {
    this.series_.clear();
  }
  values(): MetricValue[] {
    return [...this.series_.values()].map((s) => ({ labels: s.labels, value: s.value }));
  }
}
