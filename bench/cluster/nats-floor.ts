/**
 * The NATS floor under the cluster's hop costs (issue 12): what a request/reply over NATS costs before any elmscale
 * work, and what KV reads and writes cost, on one local nats-server (Debian 2.9.10, JetStream, loopback), all through
 * the messaging port (src/adapters/node/nats/). Later hop-cost figures (a forwarded infer) compare to these.
 *  - request/reply, 300-byte payload (a digits infer body), 1 and 32 in flight, to one echo responder in the same
 *    process (another connection) and in a child process: requests/s, P50/P99, client CPU per request. Medians of
 *    BENCH_REPEAT (3) interleaved runs of `seconds` (2) each.
 *  - KV put and get latency (R1, file storage), sequential.
 *  - presence: $SRV.PING scatter-gather vs a heartbeat KV bucket with max age, with 3 node processes: time to
 *    discover the 3, and time to notice one gone after SIGKILL and after SIGSTOP (see docs/cluster.md for the choice).
 * Run: npm run build && node dist/bench/cluster/nats-floor.js [seconds]
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { connectCluster } from '../../src/adapters/node/nats/index.js';
import type { KvEntry, MessagingPort, Subscription } from '../../src/cluster/port.js';
import { ChildProc } from '../../test/helpers/proc.js';
import { skipNoNats, startNats } from '../../test/helpers/nats.js';
import { waitUntil } from '../../test/helpers/wait.js';
import { machineInfo, median, quantile, writeResult } from '../kernels/util.js';

if (skipNoNats) {
  console.log(`skipped: ${skipNoNats}`);
  process.exit(0);
}
const seconds = Number(process.argv.find((a) => /^\d+(\.\d+)?$/.test(a)) ?? 2);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const NODE_SCRIPT = fileURLToPath(new URL('./_nats-node.js', import.meta.url));
const nats = await startNats();
const children: ChildProc[] = [];

function startNode(args: string[]): Promise<ChildProc> {
  const p = new ChildProc(process.execPath, [NODE_SCRIPT, nats.url, ...args], {
    name: `node ${args.join(' ')}`,
    stdin: 'pipe',
  });
  children.push(p);
  return p.waitFor(/^ready$/m).then(() => p);
}

const round = (x: number, d = 1) => +x.toFixed(d);
const payload = new Uint8Array(300).map((_, i) => 32 + (i % 90));

// ---- request/reply ---------------------------------------------------------------------------------------------
interface RunResult {
  rps: number;
  p50Us: number;
  p99Us: number;
  /** CPU of this process per request: the client, plus the responder when it runs in this process. */
  cpuUsPerReq: number;
  /** CPU of the child responder per request (child-process runs only). */
  responderCpuUsPerReq?: number;
  requests: number;
}

/** The child's process.cpuUsage() total in µs (it answers each "cpu" line on stdin with one "cpu {...}" line). */
async function childCpu(p: ChildProc): Promise<number> {
  const answers = () => [...p.stdout().matchAll(/^cpu (\{.*\})$/gm)];
  const n = answers().length + 1;
  p.send('cpu');
  await waitUntil('the child CPU answer', () => answers().length >= n, { timeoutMs: 5000, intervalMs: 2 });
  const u = JSON.parse(answers()[n - 1]![1]!) as NodeJS.CpuUsage;
  return u.user + u.system;
}

async function load(client: MessagingPort, inflight: number, ms: number): Promise<RunResult> {
  const lat: number[] = [];
  const t0 = performance.now();
  const end = t0 + ms;
  const c0 = process.cpuUsage();
  const worker = async () => {
    while (performance.now() < end) {
      const s = performance.now();
      await client.request('floor.echo', payload, { timeoutMs: 5000 });
      lat.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  const el = performance.now() - t0;
  const c1 = process.cpuUsage(c0);
  return {
    rps: (lat.length / el) * 1000,
    p50Us: quantile(lat, 0.5) * 1000,
    p99Us: quantile(lat, 0.99) * 1000,
    cpuUsPerReq: (c1.user + c1.system) / lat.length,
    requests: lat.length,
  };
}

const client = await connectCluster(nats.url, { name: 'bench-client' });
const requestReply: Record<string, Record<string, RunResult>> = {};
{
  // same process: a second connection answers; child process: its own connection and event loop
  const local = await connectCluster(nats.url, { name: 'bench-local-responder' });
  let localSub: Subscription | undefined;
  let child: ChildProc | undefined;
  // exactly one member in the queue group at a time: the local responder or the child's
  const where: Record<string, () => Promise<void>> = {
    'same process': async () => {
      await child?.kill();
      child = undefined;
      localSub = local.subscribe('floor.echo', (m) => m.respond(m.data), { queue: 'floor' });
      await local.flush();
    },
    'child process': async () => {
      localSub?.unsubscribe();
      await local.flush();
      child = await startNode(['echo']);
    },
  };
  const runs = new Map<string, RunResult[]>();
  for (let i = 0; i < REPEAT; i++) {
    for (const [w, setup] of Object.entries(where)) {
      await setup();
      for (const inflight of [1, 32]) {
        await load(client, inflight, 300); // warm-up
        const key = `${w}|${inflight}`;
        const before = child ? await childCpu(child) : 0;
        const r = await load(client, inflight, seconds * 1000);
        if (child) r.responderCpuUsPerReq = ((await childCpu(child)) - before) / r.requests;
        runs.set(key, [...(runs.get(key) ?? []), r]);
      }
    }
  }
  await child?.kill();
  for (const [key, rs] of runs) {
    const [w, inflight] = key.split('|');
    requestReply[w!] ??= {};
    const med = (f: (r: RunResult) => number, d = 1) => round(median(rs.map(f)), d);
    requestReply[w!]![`${inflight} in flight`] = {
      rps: Math.round(median(rs.map((r) => r.rps))),
      p50Us: med((r) => r.p50Us, 0),
      p99Us: med((r) => r.p99Us, 0),
      cpuUsPerReq: med((r) => r.cpuUsPerReq),
      requests: Math.round(median(rs.map((r) => r.requests))),
    };
    if (rs[0]!.responderCpuUsPerReq !== undefined)
      requestReply[w!]![`${inflight} in flight`]!.responderCpuUsPerReq = med((r) => r.responderCpuUsPerReq!);
    const r = requestReply[w!]![`${inflight} in flight`]!;
    console.log(
      `request/reply 300 B, ${w.padEnd(13)} ${inflight.padStart(2)} in flight: ${String(r.rps).padStart(6)} req/s  ` +
        `P50 ${r.p50Us} µs  P99 ${r.p99Us} µs  CPU/req: this process ${r.cpuUsPerReq} µs` +
        (r.responderCpuUsPerReq !== undefined ? `, responder ${r.responderCpuUsPerReq} µs` : ''),
    );
  }
  await local.close();
}

// ---- KV --------------------------------------------------------------------------------------------------------
const kvResult: Record<string, { p50Us: number; p99Us: number; opsPerS: number }> = {};
{
  const kv = await client.kv('floor_kv', { storage: 'file' });
  const value = payload.subarray(0, 200);
  const N = Math.max(200, Math.round(500 * seconds));
  for (let i = 0; i < 100; i++) await kv.put(`k${i % 50}`, value); // warm-up
  for (const [op, fn] of [
    ['put', (i: number) => kv.put(`k${i % 50}`, value)],
    ['get', (i: number) => kv.get(`k${i % 50}`)],
  ] as const) {
    const lat: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const s = performance.now();
      await fn(i);
      lat.push(performance.now() - s);
    }
    const el = performance.now() - t0;
    kvResult[op] = {
      p50Us: Math.round(quantile(lat, 0.5) * 1000),
      p99Us: Math.round(quantile(lat, 0.99) * 1000),
      opsPerS: Math.round((N / el) * 1000),
    };
    console.log(`KV ${op} (R1, file, 200 B, sequential): P50 ${kvResult[op].p50Us} µs  P99 ${kvResult[op].p99Us} µs`);
  }
}

// ---- presence --------------------------------------------------------------------------------------------------
const BEAT_MS = 500;
const PING_EVERY_MS = 500;
const PING_WINDOW_MS = 100;
const te = new TextDecoder();

/** One $SRV.PING round: the ids that answered within the window, and when the k-th answer came (ms after sending). */
async function pingRound(port: MessagingPort, windowMs: number): Promise<{ ids: Set<string>; at: number[] }> {
  const inbox = `_INBOX.${randomUUID().replaceAll('-', '')}`;
  const ids = new Set<string>();
  const at: number[] = [];
  const t0 = performance.now();
  const sub = port.subscribe(inbox, (m) => {
    ids.add((JSON.parse(te.decode(m.data)) as { id: string }).id);
    at.push(performance.now() - t0);
  });
  await port.flush();
  port.publish('$SRV.PING.elmscale', new Uint8Array(0), { reply: inbox });
  await new Promise((r) => setTimeout(r, windowMs));
  sub.unsubscribe();
  return { ids, at };
}

/** Heartbeat view: the ids whose last heartbeat is younger than `staleMs`, from a watch of the bucket. */
async function heartbeatWatch(port: MessagingPort) {
  const last = new Map<string, number>();
  const kv = await port.kv('presence_bench', { maxAgeMs: 3 * BEAT_MS, storage: 'memory' });
  const t0 = performance.now();
  const w = await kv.watch((e: KvEntry) => {
    if (e.operation === 'put') last.set(e.key, e.createdMs);
    else last.delete(e.key);
  });
  await w.ready;
  return {
    readyMs: performance.now() - t0,
    alive: (staleMs: number) => new Set([...last].filter(([, t]) => Date.now() - t < staleMs).map(([k]) => k)),
    stop: () => w.stop(),
  };
}

const presence: Record<string, unknown> = { beatMs: BEAT_MS, pingEveryMs: PING_EVERY_MS, pingWindowMs: PING_WINDOW_MS };
{
  await Promise.all(['p1', 'p2', 'p3'].map((id) => startNode(['presence', id, String(BEAT_MS)])));
  const observer = await connectCluster(nats.url, { name: 'bench-observer' });

  // discovery: ping (time of the 3rd answer; a caller that does not know N must still wait its window)
  const discover: number[] = [];
  for (let i = 0; i < 20; i++) {
    const r = await pingRound(observer, PING_WINDOW_MS);
    if (r.ids.size === 3) discover.push(r.at[2]!);
  }
  // discovery: heartbeat (a new watcher has every current node once the watch is ready)
  const hbDiscover: number[] = [];
  for (let i = 0; i < 20; i++) {
    const hb = await heartbeatWatch(observer);
    if (hb.alive(3 * BEAT_MS).size === 3) hbDiscover.push(hb.readyMs);
    hb.stop();
  }
  presence.discover3 = {
    ping: { p50Ms: round(median(discover), 2), maxMs: round(Math.max(...discover), 2), windowMs: PING_WINDOW_MS },
    heartbeatWatch: { p50Ms: round(median(hbDiscover), 2), maxMs: round(Math.max(...hbDiscover), 2) },
  };

  // notice one gone: both detectors run continuously on their own schedules (pings every PING_EVERY_MS with a
  // PING_WINDOW_MS window; the heartbeat view checked every CHECK_MS), and a victim is SIGKILLed or SIGSTOPped at a
  // random phase of both; the victim is then replaced and the trial repeated.
  const hb = await heartbeatWatch(observer);
  const STALE_MS = 2 * BEAT_MS + 100; // one missed beat tolerated
  const CHECK_MS = 50;
  let pingAlive = new Set<string>();
  let running = true;
  const pingLoop = (async () => {
    while (running) {
      const t = performance.now();
      pingAlive = (await pingRound(observer, PING_WINDOW_MS)).ids;
      await new Promise((r) => setTimeout(r, Math.max(0, PING_EVERY_MS - (performance.now() - t))));
    }
  })();
  async function timeToNotice(victimId: string, act: () => void): Promise<{ pingMs: number; heartbeatMs: number }> {
    let pingMs = NaN;
    let heartbeatMs = NaN;
    const t0 = performance.now();
    act();
    while ((Number.isNaN(pingMs) || Number.isNaN(heartbeatMs)) && performance.now() - t0 < 10_000) {
      await new Promise((r) => setTimeout(r, CHECK_MS));
      const now = performance.now() - t0;
      if (Number.isNaN(heartbeatMs) && !hb.alive(STALE_MS).has(victimId)) heartbeatMs = now;
      if (Number.isNaN(pingMs) && !pingAlive.has(victimId)) pingMs = now;
    }
    return { pingMs, heartbeatMs };
  }
  const TRIALS = Number(process.env.PRESENCE_TRIALS ?? 5);
  const trials: Record<'sigkill' | 'sigstop', { pingMs: number; heartbeatMs: number }[]> = { sigkill: [], sigstop: [] };
  for (let i = 0; i < TRIALS; i++) {
    for (const how of ['sigkill', 'sigstop'] as const) {
      const id = `v${how}${i}`;
      const victim = await startNode(['presence', id, String(BEAT_MS)]);
      await new Promise((r) => setTimeout(r, 1200 + Math.random() * 600)); // seen by both, then a random phase
      trials[how].push(await timeToNotice(id, () => (how === 'sigkill' ? victim.signal('SIGKILL') : victim.stop())));
      await victim.kill();
    }
  }
  running = false;
  await pingLoop;
  hb.stop();
  const summary = (xs: number[]) => ({ p50Ms: Math.round(median(xs)), maxMs: Math.round(Math.max(...xs)) });
  const noticeGone = Object.fromEntries(
    Object.entries(trials).map(([how, ts]) => [
      how,
      { ping: summary(ts.map((t) => t.pingMs)), heartbeat: summary(ts.map((t) => t.heartbeatMs)) },
    ]),
  );
  presence.noticeGone = { trials: TRIALS, staleMs: STALE_MS, checkMs: CHECK_MS, ...noticeGone };
  presence.bounds = {
    ping: `≤ ${PING_EVERY_MS + PING_WINDOW_MS + CHECK_MS} ms (period + window + check)`,
    heartbeat: `${STALE_MS - BEAT_MS}–${STALE_MS + CHECK_MS} ms (stale − beat … stale + check)`,
  };
  console.log('presence', JSON.stringify(presence));
  await observer.close();
}

await client.close();
for (const c of children) await c.kill();
await nats.close();
const path = writeResult('nats-floor', {
  ...machineInfo(),
  natsServer: '2.9.10 (Debian), 1 server, JetStream, loopback',
  client: '@nats-io/transport-node 3.4.0 via src/adapters/node/nats',
  seconds,
  repeat: REPEAT,
  payloadBytes: payload.length,
  requestReply,
  kv: kvResult,
  presence,
});
console.log(`wrote ${path}`);
