import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isElmError } from '../../src/core/errors.js';
import { compareResults, parseCompare } from '../../src/loadtest/compare.js';
import { FULL_PLAN, QUICK_PLAN, SweepPlanner, parseLevels, type SweepPlan } from '../../src/loadtest/plan.js';
import { parsePrometheus, serverStep, snapshot, sumMetric } from '../../src/loadtest/prom.js';
import { meetsSlo, sloAnswer } from '../../src/loadtest/slo.js';
import { DEFAULT_SLO, type BenchResult, type StepResult, type StepSpec } from '../../src/loadtest/types.js';

const NULL_SERVER = serverStep(undefined, undefined, { pricePerCoreHour: 1, cores: 1, answered: 0 });

/** A synthetic step: latency flat at `base` ms up to `knee` users, then growing linearly (M/D/c-like). */
function simulate(spec: StepSpec, knee: number, base: number, slo = { ...DEFAULT_SLO, sloMs: 1.5 * base }): StepResult {
  const cap = (knee * 1000) / base; // requests/s at the knee
  const c = spec.concurrency;
  const closed = spec.mode === 'closed';
  const rps = closed ? Math.min(c, knee) * (1000 / base) : Math.min(spec.rate!, cap);
  const p99 = closed ? (c <= knee ? base : base * Math.ceil(c / knee)) : spec.rate! <= cap * 0.95 ? base : base * 10;
  const client = {
    durationS: 1,
    sent: Math.round(rps),
    ok: Math.round(rps),
    errors: 0,
    shed: 0,
    timeouts: 0,
    dropped: 0,
    rps,
    latencyMs: { p50: base, p90: base, p99, p999: p99, mean: base, min: base, max: p99 },
    generatorCpu: 0.1,
    sendLagMs: null,
    statuses: {},
  };
  return {
    mode: spec.mode,
    concurrency: c,
    offeredRps: spec.rate,
    phase: spec.phase,
    ...client,
    server: { ...NULL_SERVER, costPerQuery: 1e-6 * (1 + c / 100), costPerMillion: 1 + c / 100 },
    costPerQuery: 1e-6 * (1 + c / 100),
    sloOk: meetsSlo(client, spec.rate, slo),
  };
}

function drive(plan: SweepPlan, knee: number, base = 10): StepResult[] {
  const planner = new SweepPlanner(plan);
  const steps: StepResult[] = [];
  for (let s = planner.next(steps); s; s = planner.next(steps)) steps.push(simulate(s, knee, base));
  return steps;
}

describe('Prometheus scrape parsing and step cost', () => {
  const text = [
    '# HELP elmscale_requests_total x',
    '# TYPE elmscale_requests_total counter',
    'elmscale_requests_total{model="digits",outcome="success"} 90',
    'elmscale_requests_total{model="digits",outcome="overloaded"} 10',
    'elmscale_requests_total{model="a\\"b",outcome="success"} 5 1700000000000',
    'elmscale_process_cpu_seconds_total 2.5',
    'elmscale_cpu_utilization_ratio 0.4',
    'elmscale_request_duration_seconds_bucket{model="digits",le="+Inf"} 100',
    'garbage line here',
  ].join('\n');

  it('parses labels (with escapes), timestamps, +Inf and skips comments and garbage', () => {
    const s = parsePrometheus(text);
    assert.equal(s.length, 7);
    assert.equal(s[2].labels.model, 'a"b');
    assert.equal(sumMetric(s, 'elmscale_requests_total'), 105);
    assert.equal(sumMetric(s, 'elmscale_requests_total', { outcome: 'overloaded' }), 10);
    assert.equal(sumMetric(s, 'nope'), undefined);
    assert.equal(s.find((x) => x.name.endsWith('_bucket'))!.labels.le, '+Inf');
  });

  it('derives CPU-seconds, utilisation and cost per query from two scrapes', () => {
    const a = snapshot('elmscale_process_cpu_seconds_total 10\nelmscale_requests_total{outcome="success"} 1000\n', 0);
    const b = snapshot(
      'elmscale_process_cpu_seconds_total 11\nelmscale_requests_total{outcome="success"} 3000\n',
      2000,
    );
    const st = serverStep(a, b, { pricePerCoreHour: 3.6, cores: 2, answered: 1 });
    assert.equal(st.cpuSeconds, 1);
    assert.equal(st.requests, 2000);
    assert.equal(st.cpuUtilisation, 0.25); // 1 CPU-s over 2 s wall on 2 cores
    assert.equal(st.cpuSecondsPerQuery, 0.0005);
    assert.ok(Math.abs(st.costPerQuery! - 0.0005 * 0.001) < 1e-15); // 3.6 per core-hour = 0.001 per core-second
    assert.ok(Math.abs(st.costPerMillion! - 0.5) < 1e-9);
    // the server's own utilisation gauge wins when present
    const c = snapshot('elmscale_process_cpu_seconds_total 11\nelmscale_cpu_utilization_ratio 0.7\n', 2000);
    assert.equal(serverStep(a, c, { pricePerCoreHour: 1, cores: 2, answered: 10 }).cpuUtilisation, 0.7);
    // no /metrics → nulls
    assert.equal(NULL_SERVER.costPerQuery, null);
  });
});

describe('sweep planner and SLO search', () => {
  const plan: SweepPlan = { ...FULL_PLAN, mode: 'closed', concurrency: [1, 2, 4, 8, 16, 32], refine: 3 };

  it('finds the known knee by sweeping then bisecting (knee 6 → sweep 1..16, refine 6, 7)', () => {
    const steps = drive(plan, 6);
    assert.deepEqual(
      steps.map((s) => `${s.phase[0]}${s.concurrency}${s.sloOk ? '+' : '-'}`),
      ['s1+', 's2+', 's4+', 's8-', 's16-', 'r6+', 'r7-'],
    );
    const a = sloAnswer(steps);
    assert.equal(a.sloMaxConcurrency, 6);
    assert.equal(a.sloMaxRps, 600);
    assert.equal(a.costPerMillion, 1.06);
    assert.equal(steps[a.sloStep!].concurrency, 6);
  });

  it('knees at a sweep level, below the first level, beyond the last level', () => {
    assert.equal(sloAnswer(drive(plan, 8)).sloMaxConcurrency, 8);
    const none = drive(plan, 0.5);
    assert.equal(sloAnswer(none).sloMaxConcurrency, null);
    assert.equal(sloAnswer(none).sloMaxRps, null);
    assert.equal(none.length, 2, 'stops after two consecutive misses');
    assert.equal(sloAnswer(drive(plan, 1000)).sloMaxConcurrency, 32);
  });

  it('a noisy pass above a miss does not count (knee seen from below)', () => {
    const steps = drive({ ...plan, refine: 0 }, 6);
    steps[3] = { ...steps[3], sloOk: true, concurrency: 8 };
    steps[2] = { ...steps[2], sloOk: false };
    assert.equal(sloAnswer(steps).sloMaxConcurrency, 2);
  });

  it('mode both: open-loop rates derived from the closed-loop peak, then bisected', () => {
    const steps = drive({ ...plan, mode: 'both', refine: 1, rateFractions: [0.5, 0.9, 1.2] }, 6);
    const open = steps.filter((s) => s.mode === 'open');
    const peak = 600;
    assert.deepEqual(
      open.filter((s) => s.phase === 'sweep').map((s) => s.offeredRps),
      [0.5 * peak, 0.9 * peak, 1.2 * peak],
    );
    assert.equal(open.filter((s) => s.phase === 'refine').length, 1);
    assert.equal(open[open.length - 1].offeredRps, 630); // between 540 (pass) and 720 (miss)
  });

  it('is bounded in steps and time', () => {
    assert.ok(drive({ ...plan, maxSteps: 3 }, 1000).length === 3);
    assert.ok(drive({ ...plan, warmupMs: 1000, durationMs: 1000, maxTotalMs: 5000 }, 1000).length === 2);
    assert.ok(new SweepPlanner(QUICK_PLAN).estimateMs() <= 20_000);
  });

  it('rejects bad plans with ELM_ERR_INVALID_ARGUMENT', () => {
    const bad = (p: Partial<SweepPlan>) =>
      assert.throws(
        () => new SweepPlanner({ ...plan, ...p }),
        (e) => isElmError(e, 'ELM_ERR_INVALID_ARGUMENT'),
      );
    bad({ concurrency: [0] });
    bad({ concurrency: [1.5] });
    bad({ concurrency: [100_000] });
    bad({ mode: 'open', rates: null });
    bad({ durationMs: 0 });
    bad({ refine: -1 });
    assert.deepEqual(parseLevels('1..64', 'x'), [1, 2, 4, 8, 16, 32, 64]);
    assert.deepEqual(parseLevels('1..48', 'x'), [1, 2, 4, 8, 16, 32, 48]);
    assert.deepEqual(parseLevels('100, 200', 'x'), [100, 200]);
    assert.throws(
      () => parseLevels('a,b', 'x'),
      (e) => isElmError(e, 'ELM_ERR_INVALID_ARGUMENT'),
    );
  });
});

describe('comparisons', () => {
  it('parses presets and label=ARGS specs with directives', () => {
    const c = parseCompare(['batching', 'big=--workers 2 @model digits @cache', 'remote=@url http://127.0.0.1:9']);
    assert.deepEqual(
      c.map((x) => x.label),
      ['batching on', 'batching off', 'big', 'remote'],
    );
    assert.deepEqual(c[1].serverArgs, ['--max-batch-rows', '1']);
    assert.deepEqual(c[2], { label: 'big', serverArgs: ['--workers', '2'], cache: true, model: 'digits' });
    assert.equal(c[3].url, 'http://127.0.0.1:9');
    assert.throws(
      () => parseCompare(['nonsense']),
      (e) => isElmError(e, 'ELM_ERR_INVALID_ARGUMENT'),
    );
    assert.throws(
      () => parseCompare(['a=', 'a=']),
      (e) => isElmError(e, 'ELM_ERR_INVALID_ARGUMENT'),
    );
  });

  it('reports ratios to the first configuration', () => {
    const mk = (label: string, knee: number): BenchResult => {
      const steps = drive(plan(), knee);
      return {
        label,
        target: 't',
        model: 'm',
        sloMs: 15,
        pricePerCoreHour: 1,
        startedAt: '',
        steps,
        peakRps: Math.max(...steps.map((s) => s.rps)),
        ...sloAnswer(steps),
      };
    };
    const plan = (): SweepPlan => ({ ...FULL_PLAN, mode: 'closed', concurrency: [1, 2, 4, 8, 16], refine: 0 });
    const cmp = compareResults([mk('a', 2), mk('b', 4)]);
    assert.equal(cmp.baseline, 'a');
    assert.equal(cmp.rows[0].ratios.sloMaxRps, 1);
    assert.equal(cmp.rows[1].ratios.sloMaxConcurrency, 2);
    assert.equal(cmp.rows[1].ratios.sloMaxRps, 2);
  });
});
