import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  benchDocument,
  checkInput,
  configIdentity,
  planFromOptions,
  reportNotes,
  serverFor,
  stepLabel,
  type BenchInput,
  type GeneratorInfo,
} from '../../src/loadtest/bench.js';
import { parseCompare } from '../../src/loadtest/compare.js';
import { FULL_PLAN, QUICK_PLAN } from '../../src/loadtest/plan.js';
import { startedServerTarget } from '../../src/loadtest/target.js';
import type { BenchResult } from '../../src/loadtest/types.js';

const input = (o: Partial<BenchInput> = {}): BenchInput => ({
  sloMs: 25,
  maxErrorRate: 0.01,
  pricePerCoreHour: 0.05,
  timeoutMs: 10_000,
  rows: 1,
  distinct: 256,
  seed: 1,
  ...o,
});

describe('bench input (platform-free half of elmscale bench)', () => {
  it('builds the plan from --quick and explicit overrides, and checks the input in order', () => {
    assert.deepEqual(planFromOptions({}), FULL_PLAN);
    const p = planFromOptions({ quick: true, concurrency: '1..8', maxTime: 2, mode: 'closed' });
    assert.deepEqual(p.concurrency, [1, 2, 4, 8]);
    assert.equal(p.maxTotalMs, 2000);
    assert.equal(p.durationMs, QUICK_PLAN.durationMs);
    assert.throws(() => checkInput(input({ mode: 'x', sloMs: 0 })), /--mode must be closed\|open\|both/);
    assert.throws(() => checkInput(input({ sloMs: 0 })), /--slo-ms must be > 0/);
    assert.throws(() => checkInput(input({ pricePerCoreHour: -1 })), /--price-per-core-hour/);
    assert.throws(() => checkInput(input({ url: 'https://127.0.0.1' })), /only http/);
    assert.equal(checkInput(input()).slo.sloMs, 25);
  });

  it('starts a loopback demo server unless a URL is given; server options need a started server', () => {
    const f = input({ serverArgs: ' --workers  2 ' });
    assert.deepEqual(serverFor(f, undefined), {
      args: [
        'demo',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--price-per-core-hour',
        '0.05',
        '--no-cache',
        '--workers',
        '2',
      ],
    });
    const args = (w: ReturnType<typeof serverFor>) => ('args' in w ? w.args : []);
    const [off, on] = parseCompare(['cache']);
    assert.ok(args(serverFor(f, off)).includes('--no-cache'));
    assert.ok(!args(serverFor(f, on)).includes('--no-cache'));
    assert.ok(!args(serverFor(input({ serverCache: true }), undefined)).includes('--no-cache'));
    assert.deepEqual(serverFor(input({ url: 'http://10.0.0.1:8000' }), undefined), { url: 'http://10.0.0.1:8000' });
    const [, unbatched] = parseCompare(['batching']);
    assert.throws(() => serverFor(input({ url: 'http://127.0.0.1:1' }), unbatched), /drop --url/);
    assert.throws(() => startedServerTarget('http://10.0.0.1:8000'), /refusing non-loopback/);
    assert.equal(startedServerTarget('http://127.0.0.1:9').port, 9);
  });

  it('names a configuration, labels steps, and assembles the document and report notes', () => {
    assert.deepEqual(configIdentity(input(), undefined, 'http://127.0.0.1:5', true), {
      label: 'elmscale demo',
      model: 'digits',
    });
    assert.deepEqual(configIdentity(input(), undefined, 'http://h:1', false), {
      label: 'http://h:1',
      model: undefined,
    });
    const [, small] = parseCompare(['models']);
    assert.deepEqual(configIdentity(input({ model: 'x' }), small, 'u', true), {
      label: 'digits-small (L=128)',
      model: 'digits-small',
    });
    const spec = { concurrency: 4, rate: 1500, warmupMs: 0, durationMs: 1, maxRequests: 1, phase: 'sweep' } as const;
    assert.equal(stepLabel({ ...spec, mode: 'closed' }), 'closed c=4');
    assert.equal(stepLabel({ ...spec, mode: 'open' }), 'open 1500/s');
    const g: GeneratorInfo = { node: 'v20', cpus: 2, cpuModel: 'cpu', loadavg: [0.5, 0.7], plan: QUICK_PLAN };
    const r = { label: 'a', sloMaxRps: 10, sloStep: null, peakRps: 12, steps: [] } as unknown as BenchResult;
    assert.deepEqual(benchDocument([r], g), { ...r, generator: g });
    const two = benchDocument([r, { ...r, label: 'b' }], g);
    assert.equal(two.configs?.length, 2);
    assert.equal(two.comparison?.baseline, 'a');
    const notes = reportNotes(input({ quick: true }), g);
    assert.match(notes[0], /node v20 on 2 cores \(cpu\); the server ran as a child process/);
    assert.match(notes[1], /0\.5 \/ 0\.7 on 2 cores/);
    assert.match(notes[2], /\(--quick\)\.$/);
  });
});
