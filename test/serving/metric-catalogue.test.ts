import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PromMetrics } from '../../src/adapters/node/serving/prom-metrics.js';
import { METRIC_CATALOGUE, METRIC_PREFIX, PROCESS_METRICS, STRATEGY_METRICS } from '../../src/core/metric-catalogue.js';
import { METRIC } from '../../src/loadtest/prom.js';
import { STRATEGY_METRICS as FROM_STRATEGIES } from '../../src/strategies/usage-metrics.js';

/** `# HELP` / `# TYPE` headers of an exposition, in order. */
function families(text: string): { name: string; help: string; type: string }[] {
  const help = new Map<string, string>();
  const out: { name: string; help: string; type: string }[] = [];
  for (const line of text.split('\n')) {
    const h = /^# HELP (\S+) (.*)$/.exec(line);
    if (h) help.set(h[1], h[2]);
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) out.push({ name: t[1], help: help.get(t[1]) ?? '', type: t[2] });
  }
  return out;
}

describe('metric catalogue', () => {
  it('is well formed: unique prefixed names, counters end in _total, histograms have buckets and one label', () => {
    const names = METRIC_CATALOGUE.map((d) => d.name);
    assert.equal(new Set(names).size, names.length);
    for (const d of METRIC_CATALOGUE) {
      assert.ok(d.name.startsWith(METRIC_PREFIX), d.name);
      assert.ok(d.help.length > 0, d.name);
      if (d.type === 'counter') assert.match(d.name, /_total$/);
      if (d.type === 'histogram') {
        assert.equal(d.labels.length, 1, d.name);
        assert.ok(d.buckets && d.buckets.length > 0 && d.buckets.every((b, i) => i === 0 || b > d.buckets![i - 1]));
      } else assert.equal(d.buckets, undefined, d.name);
    }
  });

  it('is exactly what the exporter exposes, in order, with the same help and type', async () => {
    const m = new PromMetrics(
      () => undefined,
      () => 0,
      { pricePerCoreHour: 1, defaultMetrics: false },
    );
    const own = METRIC_CATALOGUE.filter((d) => !Object.values(PROCESS_METRICS).includes(d));
    assert.deepEqual(
      families(await m.text()),
      own.map((d) => ({ name: d.name, help: d.help, type: d.type })),
    );
    const withDefaults = new PromMetrics(
      () => undefined,
      () => 0,
      { pricePerCoreHour: 1 },
    );
    const cpu = families(await withDefaults.text()).find((f) => f.name === PROCESS_METRICS.cpuSeconds.name);
    assert.deepEqual(cpu, {
      name: PROCESS_METRICS.cpuSeconds.name,
      help: PROCESS_METRICS.cpuSeconds.help,
      type: PROCESS_METRICS.cpuSeconds.type,
    });
  });

  it('is where the strategy counters and the load-test scraper take their names', () => {
    assert.equal(FROM_STRATEGIES, STRATEGY_METRICS);
    const names = new Set(METRIC_CATALOGUE.map((d) => d.name));
    for (const [k, v] of Object.entries(METRIC)) {
      if (k === 'cpuSecondsPlain') assert.equal(METRIC_PREFIX + v, PROCESS_METRICS.cpuSeconds.name);
      else assert.ok(names.has(v.replace(/_(sum|count)$/, '')), v);
    }
  });
});
