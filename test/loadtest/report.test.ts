import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildBodies, inputsFromMetadata } from '../../src/loadtest/payload.js';
import { serverStep } from '../../src/loadtest/prom.js';
import { renderReport } from '../../src/loadtest/report.js';
import { sloAnswer } from '../../src/loadtest/slo.js';
import { fmtNum, lineChart, niceTicks } from '../../src/loadtest/svg.js';
import { formatComparison, formatResult } from '../../src/loadtest/table.js';
import { compareResults } from '../../src/loadtest/compare.js';
import type { BenchResult, StepResult } from '../../src/loadtest/types.js';

function result(label: string, scale: number): BenchResult {
  const server = { ...serverStep(undefined, undefined, { pricePerCoreHour: 1, cores: 1, answered: 0 }) };
  const steps: StepResult[] = [1, 2, 4, 8].map((c) => ({
    mode: 'closed',
    concurrency: c,
    offeredRps: null,
    phase: 'sweep',
    durationS: 1,
    sent: 100 * c,
    ok: 100 * c,
    errors: 0,
    shed: 0,
    timeouts: 0,
    dropped: 0,
    rps: 100 * c * scale,
    latencyMs: { p50: c, p90: 2 * c, p99: 4 * c, p999: 5 * c, mean: c, min: 0.5, max: 6 * c },
    generatorCpu: 0.1,
    sendLagMs: null,
    statuses: { '200': 100 * c },
    server: { ...server, cpuUtilisation: 0.1 * c, costPerMillion: 1 / c, costPerQuery: 1e-6 / c },
    costPerQuery: 1e-6 / c,
    sloOk: 4 * c <= 20,
  }));
  return {
    label,
    target: 'http://127.0.0.1:1',
    model: 'm',
    sloMs: 20,
    pricePerCoreHour: 1,
    startedAt: '2026-01-01T00:00:00Z',
    steps,
    peakRps: Math.max(...steps.map((s) => s.rps)),
    ...sloAnswer(steps),
  };
}

describe('report, charts and tables (pure)', () => {
  it('renders a self-contained page: charts, SLO line, steps, escaped labels, no scripts or external URLs', () => {
    const html = renderReport([result('<b>base</b>', 1), result('x2 "fast"', 2)]);
    for (const id of ['throughput', 'p99-users', 'p99', 'cost', 'utilisation'])
      assert.match(html, new RegExp(`data-chart="${id}"`));
    assert.equal((html.match(/class="slo-line"/g) ?? []).length, 2);
    assert.ok(!html.includes('<b>base</b>'));
    assert.match(html, /&lt;b&gt;base&lt;\/b&gt;/);
    assert.ok(!/<script/i.test(html));
    assert.ok(!/(src|href)="https?:/i.test(html), 'no external resources');
    assert.match(html, /Comparison \(ratios to/);
    assert.equal((html.match(/<table class="steps">/g) ?? []).length, 2);
  });

  it('chart helpers: nice ticks, number format, log axes, empty series', () => {
    assert.deepEqual(niceTicks(0, 10), [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(niceTicks(0, 1080, 5), [0, 250, 500, 750, 1000]);
    assert.equal(fmtNum(12_345), '12.3k');
    assert.equal(fmtNum(2_500_000), '2.50M');
    assert.equal(fmtNum(0.000804), '0.0008');
    const svg = lineChart({
      id: 'z',
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      xLog: true,
      yLog: true,
      series: [
        {
          name: 's',
          points: [
            [1, 0.5],
            [64, 300],
          ],
        },
      ],
    });
    assert.match(svg, /<path class="series"/);
    assert.doesNotMatch(svg, /NaN|Infinity/);
    const empty = lineChart({ id: 'e', title: 't', xLabel: 'x', yLabel: 'y', series: [] });
    assert.doesNotMatch(empty, /NaN|Infinity/);
  });

  it('terminal tables carry the answers and the ratios', () => {
    const a = result('a', 1);
    const text = formatResult(a);
    assert.match(text, /max concurrent users under the SLO: 4/);
    assert.match(text, /closed c=8 .* MISS/);
    assert.match(formatComparison(compareResults([a, result('b', 2)])), /b .*2\.00×/);
  });

  it('payloads follow the model metadata: shapes, datatypes, distinct seeded bodies', () => {
    const inputs = inputsFromMetadata({
      inputs: [
        { name: 'input', datatype: 'FP32', shape: [-1, 3] },
        { name: 'k', datatype: 'INT32', shape: [-1] },
      ],
    });
    const bodies = buildBodies(inputs, { rows: 2, distinct: 3, seed: 5, lo: 0, hi: 16 });
    assert.equal(bodies.length, 3);
    assert.equal(new Set(bodies).size, 3);
    const b = JSON.parse(bodies[0]) as { inputs: { name: string; shape: number[]; data: number[] }[] };
    assert.deepEqual(b.inputs[0].shape, [2, 3]);
    assert.equal(b.inputs[0].data.length, 6);
    assert.ok(b.inputs[0].data.every((v) => v >= 0 && v < 16));
    assert.ok(b.inputs[1].data.every((v) => Number.isInteger(v)));
    assert.deepEqual(buildBodies(inputs, { rows: 2, distinct: 3, seed: 5, lo: 0, hi: 16 }), bodies, 'reproducible');
    assert.throws(() => inputsFromMetadata({}), /inputs/);
    assert.throws(
      () => buildBodies([{ name: 'x', datatype: 'FP16', shape: [1] }], { rows: 1, distinct: 1, seed: 1 }),
      /FP16/,
    );
  });
});
