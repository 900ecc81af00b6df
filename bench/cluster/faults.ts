/**
 * Fault runs under an open-loop load through ClusterClient (issue 12, target 4). One nats-server; nodes a, b, c
 * (`serve --cluster --no-cache`) all holding "digits" (L = 1024, deployed through the registry). This process sends
 * one digits row per request at a fixed rate (default 1,000/s) through a fresh ClusterClient per run (presence-aware:
 * it addresses a holder directly, retries once elsewhere after a timeout or "no responders"), never waiting for an
 * answer before sending the next, and keeps a ledger of every request: scheduled, sent and answered time, status,
 * attempts, node. Latency is counted from the scheduled send time (no coordinated omission).
 * Runs per round (fault at FAULT_AT into the run):
 *  - baseline: no fault;
 *  - sigkill: SIGKILL of node c (restarted after the run);
 *  - deploy: a new version deployed through ClusterRegistry.deploy (every node loads it and swaps);
 *  - sigstop: node b SIGSTOPped for STOP_MS, then SIGCONT — with the client timeout at 250 ms and at 1000 ms.
 * Failed = any answer other than 200. The machine has 2 cores shared by nats-server, three node processes, this load
 * generator and anything else running; the achieved rate and the send lag are reported beside every run.
 * Run: npm run build && node dist/bench/cluster/faults.js [rounds=2] [seconds=8] [rate=1000]
 */
import { connectCluster } from '../../src/adapters/node/nats/index.js';
import { ClusterClient } from '../../src/cluster/client.js';
import type { MessagingPort } from '../../src/cluster/port.js';
import { Presence } from '../../src/cluster/presence.js';
import { ClusterRegistry } from '../../src/cluster/registry.js';
import { skipNoNats, startNats, type SingleNats } from '../../test/helpers/nats.js';
import type { ElmscaleProc } from '../../test/helpers/proc.js';
import { writeResult } from '../kernels/util.js';
import {
  conditions,
  digitsFixture,
  line,
  numArgs,
  quantile,
  round,
  startNode,
  until,
  type Fixture,
} from './_cluster.js';

if (skipNoNats) {
  line(`skipped: ${skipNoNats}`);
  process.exit(0);
}
const [rounds = 2, seconds = 8, rate = 1000] = numArgs();
const FAULT_AT_MS = 3000;
const STOP_MS = 3000;
const WINDOW_MS = 100;
const td = new TextDecoder();

interface Plan {
  name: string;
  fault: 'none' | 'sigkill' | 'deploy' | 'sigstop';
  timeoutMs: number;
}
const PLAN: Plan[] = [
  { name: 'baseline', fault: 'none', timeoutMs: 250 },
  { name: 'sigkill c', fault: 'sigkill', timeoutMs: 250 },
  { name: 'deploy', fault: 'deploy', timeoutMs: 250 },
  { name: 'sigstop b 3 s, timeout 250 ms', fault: 'sigstop', timeoutMs: 250 },
  { name: 'sigstop b 3 s, timeout 1000 ms', fault: 'sigstop', timeoutMs: 1000 },
];

interface RunSummary {
  run: string;
  round: number;
  fault: Plan['fault'];
  timeoutMs: number;
  targetRate: number;
  sent: number;
  ok: number;
  failed: number;
  failures: { i: number; atMs: number; status: number; code?: string }[];
  retried: number;
  achievedSendRate: number;
  completionRate: number;
  sendLagP99Ms: number;
  sendLagMaxMs: number;
  maxOutstanding: number;
  latencyMs: { p50: number; p99: number; p999: number; max: number };
  byNode: Record<string, number>;
  faultAtMs?: number;
  note?: string;
  /** Per WINDOW_MS window by scheduled time: [count, failed, P99 ms, max ms]. */
  timeline: [number, number, number, number][];
  loadavg: number[];
}

let fx: Fixture | undefined;
let nats: SingleNats | undefined;
let port: MessagingPort | undefined;
let presence: Presence | undefined;
const nodes = new Map<string, ElmscaleProc>();
const startLoad = conditions();
try {
  fx = await digitsFixture();
  nats = await startNats();
  port = await connectCluster(nats.url, { name: 'bench-faults' });
  const registry = await ClusterRegistry.open(port);
  let version = (await registry.deploy({ name: 'digits', bytes: fx.bytes.v1 })).record.version;
  let nextBytes = fx.bytes.v2;
  const natsUrl = nats.url;
  const start = async (id: string) => nodes.set(id, await startNode(natsUrl, id, ['--no-cache']));
  for (const id of ['a', 'b', 'c']) await start(id);
  presence = await Presence.open(port);
  const pr = presence;
  const allHold = () =>
    until(`a, b, c holding digits@${version}`, () => {
      const ids = pr
        .holders('digits')
        .filter((n) => n.models.digits![0] === version)
        .map((n) => n.id);
      return ['a', 'b', 'c'].every((id) => ids.includes(id));
    });
  await allHold();
  const call = fx.call('digits');

  async function openLoop(client: ClusterClient, plan: Plan): Promise<Omit<RunSummary, 'run' | 'round'>> {
    const n = Math.floor((rate * seconds * 1000) / 1000);
    const sched = new Float64Array(n);
    const sent = new Float64Array(n);
    const done = new Float64Array(n);
    const status = new Int16Array(n);
    const attempts = new Uint8Array(n);
    const node: string[] = new Array<string>(n);
    const codes = new Map<number, string>();
    const pending: Promise<void>[] = [];
    let outstanding = 0;
    let maxOutstanding = 0;
    let faultAtMs: number | undefined;
    let note: string | undefined;
    const t0 = performance.now();
    const fault = (async () => {
      if (plan.fault === 'none') return;
      await new Promise((r) => setTimeout(r, FAULT_AT_MS));
      faultAtMs = round(performance.now() - t0, 1);
      if (plan.fault === 'sigkill') await nodes.get('c')!.proc.kill();
      else if (plan.fault === 'sigstop') {
        const b = nodes.get('b')!.proc;
        b.stop();
        await new Promise((r) => setTimeout(r, STOP_MS));
        b.cont();
      } else {
        const d = await registry.deploy({ name: 'digits', bytes: nextBytes });
        nextBytes = nextBytes === fx!.bytes.v1 ? fx!.bytes.v2 : fx!.bytes.v1;
        version = d.record.version;
        note = `deployed version ${version} (deploy call ${round(performance.now() - t0 - faultAtMs, 1)} ms)`;
      }
    })();
    let i = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now() - t0;
        const due = Math.min(n, Math.floor((now * rate) / 1000) + 1);
        while (i < due) {
          const k = i++;
          sched[k] = (k * 1000) / rate;
          sent[k] = performance.now() - t0;
          outstanding++;
          if (outstanding > maxOutstanding) maxOutstanding = outstanding;
          pending.push(
            client
              .infer(call)
              .then(
                (a) => {
                  status[k] = a.status;
                  attempts[k] = a.attempts;
                  node[k] = a.node ?? '?';
                  if (a.status !== 200) {
                    try {
                      const p = typeof a.payload === 'string' ? a.payload : td.decode(a.payload);
                      codes.set(k, (JSON.parse(p) as { code?: string }).code ?? '');
                    } catch {
                      codes.set(k, '');
                    }
                  }
                },
                (e: unknown) => {
                  status[k] = 0;
                  codes.set(k, `threw: ${(e as Error).message}`);
                },
              )
              .finally(() => {
                done[k] = performance.now() - t0;
                outstanding--;
              }),
          );
        }
        if (i < n) setTimeout(tick, 1);
        else resolve();
      };
      tick();
    });
    await Promise.all(pending);
    await fault;
    const tEnd = performance.now() - t0;
    const lat = Array.from(done, (d, k) => d - sched[k]!);
    const lag = Array.from(sent, (s, k) => s - sched[k]!);
    const failures: RunSummary['failures'] = [];
    const byNode: Record<string, number> = {};
    let ok = 0;
    let retried = 0;
    for (let k = 0; k < n; k++) {
      if (status[k] === 200) ok++;
      else if (failures.length < 50)
        failures.push({ i: k, atMs: round(sched[k]!, 1), status: status[k]!, code: codes.get(k) });
      if (attempts[k]! > 1) retried++;
      byNode[node[k] ?? '?'] = (byNode[node[k] ?? '?'] ?? 0) + 1;
    }
    const windows = Math.ceil((seconds * 1000) / WINDOW_MS);
    const timeline: RunSummary['timeline'] = [];
    for (let w = 0; w < windows; w++) {
      const ks: number[] = [];
      for (let k = 0; k < n; k++) if (Math.floor(sched[k]! / WINDOW_MS) === w) ks.push(k);
      const l = ks.map((k) => lat[k]!);
      timeline.push([
        ks.length,
        ks.filter((k) => status[k] !== 200).length,
        l.length ? round(quantile(l, 0.99), 2) : 0,
        l.length ? round(Math.max(...l), 2) : 0,
      ]);
    }
    return {
      fault: plan.fault,
      timeoutMs: plan.timeoutMs,
      targetRate: rate,
      sent: n,
      ok,
      failed: n - ok,
      failures,
      retried,
      achievedSendRate: Math.round((n / Math.max(1e-9, sent[n - 1]! - sent[0]!)) * 1000 * ((n - 1) / n)),
      completionRate: Math.round((n / tEnd) * 1000),
      sendLagP99Ms: round(quantile(lag, 0.99), 2),
      sendLagMaxMs: round(Math.max(...lag), 2),
      maxOutstanding,
      latencyMs: {
        p50: round(quantile(lat, 0.5), 2),
        p99: round(quantile(lat, 0.99), 2),
        p999: round(quantile(lat, 0.999), 2),
        max: round(Math.max(...lat), 2),
      },
      byNode,
      ...(faultAtMs !== undefined ? { faultAtMs } : {}),
      ...(note ? { note } : {}),
      timeline,
      loadavg: conditions().loadavg,
    };
  }

  // warm-up: JIT and the nodes' batching cost tables
  {
    const warm = new ClusterClient(port, { presence, timeoutMs: 1000 });
    const end = performance.now() + 2000;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (performance.now() < end) await warm.infer(call);
      }),
    );
  }
  const runs: RunSummary[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const plan of PLAN) {
      const client = new ClusterClient(port, { presence, timeoutMs: plan.timeoutMs });
      const s = { run: plan.name, round: r + 1, ...(await openLoop(client, plan)) };
      runs.push(s);
      line(
        `round ${r + 1} ${plan.name.padEnd(31)} sent ${s.sent} at ${s.achievedSendRate}/s (lag P99 ${s.sendLagP99Ms} ms, ` +
          `max ${s.sendLagMaxMs} ms)  failed ${s.failed}  retried ${s.retried}  latency P50 ${s.latencyMs.p50} ` +
          `P99 ${s.latencyMs.p99} P999 ${s.latencyMs.p999} max ${s.latencyMs.max} ms  by node ${JSON.stringify(s.byNode)}` +
          (s.note ? `  ${s.note}` : '') +
          (s.failures.length ? `  failures ${JSON.stringify(s.failures.slice(0, 5))}` : ''),
      );
      // back to three healthy holders of the current version before the next run
      if (plan.fault === 'sigkill') await start('c');
      await allHold();
    }
  }
  const summary: Record<string, unknown> = {};
  for (const plan of PLAN) {
    const rs = runs.filter((x) => x.run === plan.name);
    const base = runs.filter((x) => x.run === 'baseline');
    const med = (xs: number[]) => round([...xs].sort((p, q) => p - q)[xs.length >> 1]!, 2);
    summary[plan.name] = {
      timeoutMs: plan.timeoutMs,
      failed: rs.map((x) => x.failed),
      sent: rs.map((x) => x.sent),
      retried: rs.map((x) => x.retried),
      achievedSendRate: rs.map((x) => x.achievedSendRate),
      p50ms: rs.map((x) => x.latencyMs.p50),
      p99ms: rs.map((x) => x.latencyMs.p99),
      p999ms: rs.map((x) => x.latencyMs.p999),
      maxMs: rs.map((x) => x.latencyMs.max),
      /** Per round: this run's P99 ÷ the same round's baseline P99. */
      p99VsBaseline: rs.map((x, i) => round(x.latencyMs.p99 / base[i]!.latencyMs.p99, 2)),
      p999VsBaseline: rs.map((x, i) => round(x.latencyMs.p999 / base[i]!.latencyMs.p999, 2)),
      medianP99ms: med(rs.map((x) => x.latencyMs.p99)),
    };
    const s = summary[plan.name] as Record<string, number[]>;
    line(
      `${plan.name}: failed ${s.failed.join('/')} of ${s.sent.join('/')}, P99 ${s.p99ms.join('/')} ms ` +
        `(×${s.p99VsBaseline.join('/')} of baseline), P999 ${s.p999ms.join('/')} ms, max ${s.maxMs.join('/')} ms, ` +
        `sent at ${s.achievedSendRate.join('/')}/s`,
    );
  }
  const path = writeResult('cluster-faults', {
    date: new Date().toISOString(),
    node: process.version,
    ...conditions(),
    loadavgStart: startLoad.loadavg,
    loadavgEnd: conditions().loadavg,
    setup:
      'one nats-server 2.9.10 (JetStream, loopback); nodes a, b, c = serve --cluster --no-cache, all holding digits ' +
      '(L=1024) from the registry; 2 cores shared by nats-server, the three nodes, this load generator and whatever ' +
      'else runs on the machine',
    conditions:
      `open loop from this process: ${rate} req/s scheduled on a fixed timetable (a 1 ms timer sends every request ` +
      `due), ${seconds} s per run, fault at ${FAULT_AT_MS} ms, SIGSTOP held ${STOP_MS} ms, ${rounds} rounds of ` +
      `${PLAN.length} runs; a fresh ClusterClient per run (presence-aware, per-attempt timeout as stated, one retry ` +
      `on another holder, quarantine 5 s); latency from the scheduled send time; failed = any status other than 200`,
    timelineColumns: `per ${WINDOW_MS} ms window of scheduled time: [requests, failed, P99 ms, max ms]`,
    summary,
    runs,
  });
  line(`wrote ${path}`);
} finally {
  presence?.close();
  await port?.close().catch(() => undefined);
  for (const n of nodes.values()) {
    n.proc.cont();
    await n.proc.close();
  }
  await nats?.close();
  fx?.remove();
}
