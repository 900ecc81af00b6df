import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { chunkedComplete, requestBytes } from '../../src/adapters/node/loadtest/connection.js';
import { parseTarget } from '../../src/loadtest/target.js';
import { runStep } from '../../src/adapters/node/loadtest/runner.js';
import { runSweep } from '../../src/adapters/node/loadtest/session.js';
import { FULL_PLAN } from '../../src/loadtest/plan.js';
import type { StepSpec } from '../../src/loadtest/types.js';
import { startSynthetic, type Synthetic } from './synthetic-server.js';

const closed = (c: number, durationMs = 400, warmupMs = 100): StepSpec => ({
  mode: 'closed',
  concurrency: c,
  rate: null,
  warmupMs,
  durationMs,
  maxRequests: 1e9,
  phase: 'sweep',
});

function target(url: string, body = '{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}') {
  const t = parseTarget(url);
  return {
    host: t.host,
    port: t.port,
    requests: [requestBytes('POST', '/v2/models/synthetic/infer', t.hostHeader, body)],
    timeoutMs: 2000,
  };
}

/**
 * Timing tests on a shared 2-core machine: the synthetic server's latencies are large (100 ms) against the SLO
 * margin (50 ms) so scheduler noise does not flip a step, and a knee test gets one retry if noise still does.
 */
async function twice<T>(run: () => Promise<T>, ok: (r: T) => boolean): Promise<T> {
  const first = await run();
  if (ok(first)) return first;
  return run();
}

describe('load generator against a synthetic server with a known knee', () => {
  let s: Synthetic;
  before(async () => {
    s = await startSynthetic({ capacity: 4, serviceMs: 100, cpuPerRequestS: 0.002 });
  });
  after(() => s.close());

  it('closed loop: throughput = users / service time below the knee, latency ≈ service time', async () => {
    const r = await runStep(closed(3, 600), target(s.url));
    assert.equal(r.errors + r.timeouts + r.shed, 0);
    // Bounds that hold however slow the machine is (speed itself is measured in bench/loadtest): 3 users with a
    // 100 ms service time can never exceed 30 req/s (+ window edges), and no request can beat the service time.
    assert.ok(r.rps > 0 && r.rps < 36, `rps ${r.rps} (at most ≈ 30)`);
    assert.ok(r.latencyMs.p50 >= 99, `p50 ${r.latencyMs.p50}`);
    assert.ok(r.generatorCpu !== null && r.generatorCpu >= 0);
  });

  it('runSweep finds max concurrency 4 and ≈40 req/s under a 150 ms SLO, with cost from /metrics', async () => {
    const sweep = () =>
      runSweep({
        url: s.url,
        plan: {
          ...FULL_PLAN,
          preWarmMs: 0,
          mode: 'closed',
          concurrency: [1, 2, 8, 16],
          refine: 3,
          warmupMs: 150,
          durationMs: 600,
        },
        slo: { sloMs: 150, maxErrorRate: 0.01, minRateRatio: 0.95 },
        pricePerCoreHour: 3.6,
        serverCores: 1,
        distinct: 4,
      });
    const res = await twice(sweep, (r) => r.sloMaxConcurrency === 4);
    const seq = res.steps.map((x) => `${x.phase[0]}${x.concurrency}${x.sloOk ? '+' : '-'}@${x.latencyMs.p99}`);
    assert.equal(res.model, 'synthetic', 'model picked from GET /v2/models');
    // sweep 1+ 2+ 8- 16-, then bisection 5- (between 2 and 8), 3+, 4+
    assert.equal(res.sloMaxConcurrency, 4, seq.join(' '));
    assert.ok(res.sloMaxRps! > 30 && res.sloMaxRps! < 45, `sloMaxRps ${res.sloMaxRps}`);
    // the fake server burns 2 ms CPU per request: 0.002 core-s × 3.6/3600 per core-s = 2e-6 per query
    const cpq = res.costPerQuery!;
    assert.ok(Math.abs(cpq - 2e-6) < 0.4e-6, `cost per query ${cpq}`);
    assert.ok(Math.abs(res.costPerMillion! - cpq * 1e6) < 1e-9);
    const step = res.steps[res.sloStep!];
    assert.ok(
      step.server.cpuUtilisation! > 0.03 && step.server.cpuUtilisation! <= 1,
      `util ${step.server.cpuUtilisation}`,
    );
  });

  it('open loop: keeps the offered rate below capacity, misses it above (queueing counted)', async () => {
    const sweep = () =>
      runSweep({
        url: s.url,
        model: 'synthetic',
        plan: {
          ...FULL_PLAN,
          preWarmMs: 0,
          mode: 'open',
          rates: [20, 80],
          refine: 0,
          warmupMs: 100,
          durationMs: 1000,
          maxConnections: 64,
        },
        slo: { sloMs: 150, maxErrorRate: 0.01, minRateRatio: 0.9 },
        pricePerCoreHour: 1,
      });
    const res = await twice(sweep, (r) => r.steps[0].sloOk);
    const [lo, hi] = res.steps;
    assert.ok(lo.sloOk, `20/s: rps ${lo.rps} p99 ${lo.latencyMs.p99}`);
    assert.ok(Math.abs(lo.sent - 20) <= 1, `sent ${lo.sent} of 20 due`);
    assert.ok(!hi.sloOk);
    // 80/s against a 40/s server: the backlog grows all step long, ≈ 0.5 s by its end
    assert.ok(hi.latencyMs.p99 > 300, `80/s (2× capacity) p99 ${hi.latencyMs.p99}`);
    assert.equal(res.sloMaxRps, lo.rps);
    assert.equal(res.sloMaxConcurrency, null);
  });
});

describe('coordinated omission and status accounting', () => {
  it('a 400 ms server stall shows in open-loop percentiles but hides from a closed loop', async () => {
    const s = await startSynthetic({ capacity: 1000, serviceMs: 1 });
    try {
      const stallDuring = async (spec: StepSpec) => {
        const p = runStep(spec, target(s.url));
        await new Promise((r) => setTimeout(r, spec.warmupMs + 300));
        s.stall();
        await new Promise((r) => setTimeout(r, 400));
        s.release();
        return p;
      };
      const open = await stallDuring({ ...closed(64, 1200, 100), mode: 'open', rate: 200, maxRequests: 1e6 });
      const shut = await stallDuring(closed(1, 1200, 100));
      // open: ~80 of ~240 requests were due during the stall → p90 well above 100 ms
      assert.ok(open.latencyMs.p90 > 100, `open p90 ${open.latencyMs.p90}`);
      assert.ok(open.latencyMs.max > 300 && open.latencyMs.max < 700, `open max ${open.latencyMs.max}`);
      // closed, one user: one slow request among hundreds → p90 stays small
      assert.ok(shut.latencyMs.p90 < 50, `closed p90 ${shut.latencyMs.p90}`);
      assert.ok(shut.latencyMs.max > 300, `closed max ${shut.latencyMs.max}`);
    } finally {
      await s.close();
    }
  });

  it('counts 2xx, shed (429/503) and errors separately; timeouts are bounded', async () => {
    const s = await startSynthetic({ capacity: 100, serviceMs: 1, statusFor: (i) => [200, 503, 429, 500][i % 4] });
    try {
      const r = await runStep(closed(1, 300, 0), target(s.url));
      assert.ok(r.sent > 20);
      assert.equal(r.ok + r.shed + r.errors, r.sent);
      assert.ok(Math.abs(r.shed - r.sent / 2) <= 2 && Math.abs(r.errors - r.sent / 4) <= 2, JSON.stringify(r.statuses));
      assert.ok(r.statuses['503'] > 0 && r.statuses['429'] > 0 && r.statuses['500'] > 0);
    } finally {
      await s.close();
    }
    // a server that never answers: every request times out, and the step still ends on time
    const hang = createServer(() => undefined);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const port = (hang.address() as AddressInfo).port;
    try {
      const t0 = performance.now();
      const r = await runStep(closed(2, 200, 0), { ...target(`http://127.0.0.1:${port}`), timeoutMs: 300 });
      assert.ok(performance.now() - t0 < 2000);
      assert.equal(r.ok, 0);
      assert.equal(r.timeouts, 2);
    } finally {
      hang.closeAllConnections();
      hang.close();
    }
  });

  it('parses chunked bodies and Connection: close answers; refuses non-http targets', async () => {
    let n = 0;
    const srv = createServer((req, res) => {
      req.resume();
      n++;
      if (n % 2) {
        res.setHeader('connection', 'close');
        res.end('{"a":1}');
      } else {
        res.write('{"a":');
        setTimeout(() => res.end('2}'), 2);
      }
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    try {
      const r = await runStep(closed(2, 300, 0), target(`http://127.0.0.1:${port}`));
      assert.ok(r.ok > 10, `ok ${r.ok}`);
      assert.equal(r.errors + r.timeouts, 0, JSON.stringify(r.statuses));
    } finally {
      srv.close();
    }
    assert.ok(chunkedComplete(Buffer.from('5\r\nhello\r\n0\r\n\r\n'), 0));
    assert.ok(!chunkedComplete(Buffer.from('5\r\nhel'), 0));
    assert.throws(() => parseTarget('https://127.0.0.1:1'), /only http/);
    assert.throws(() => parseTarget('not a url'), /not a URL/);
  });
});
