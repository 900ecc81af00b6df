/**
 * The NATS hop (issue 12, target 1): what forwarding a request over NATS to the node that holds the model costs,
 * against the same request answered locally, in the same run.
 *
 * One nats-server (JetStream, loopback); node A (`serve --cluster --model digits.elm`) holds the digits model
 * (L = 1024), node B holds nothing (both with --no-cache: every request runs the model), so B's HTTP front forwards every digits request over NATS to A.
 *  1. HTTP fronts: wrk (1 thread, closed loop, 1 / 16 / 64 connections) POSTing one digits row to A (answered
 *     locally) and to B (forwarded), in interleaved pairs (order alternating). Per run: req/s, P50/P99 and CPU per
 *     request of A, B and nats-server from /proc. Extra latency = forwarded − local per pair; extra CPU per forwarded
 *     request = (B + A during the forwarded run) − A per local request (nats-server's share shown beside it).
 *  2. NATS-native: ClusterClient in this process (closed loop, 1 and 32 in flight) next to the same body over HTTP to
 *     A from this process (fetch, and node:http with a keep-alive agent), interleaved: P50/P99, req/s, this
 *     process's CPU per request, A's and nats-server's.
 * The machine has 2 cores shared by nats-server, A, B, wrk (or this process) and anything else running: req/s are
 * what this box gives, not capacity; read the ratios.
 * Run: npm run build && node dist/bench/cluster/hop.js [pairs=5] [seconds=3] [nativeSeconds=2]
 */
import { Agent, request } from 'node:http';
import { connectCluster } from '../../src/adapters/node/nats/index.js';
import { ClusterClient } from '../../src/cluster/client.js';
import type { MessagingPort } from '../../src/cluster/port.js';
import { Presence } from '../../src/cluster/presence.js';
import { skipNoNats, startNats, type SingleNats } from '../../test/helpers/nats.js';
import type { ElmscaleProc } from '../../test/helpers/proc.js';
import { writeResult } from '../kernels/util.js';
import { postScript, wrk, type WrkResult } from '../serving/common.js';
import {
  answers,
  conditions,
  cpuUs,
  digitsFixture,
  line,
  median,
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
const [pairs = 5, seconds = 3, nativeSeconds = 2] = numArgs();
const CONNS = [1, 16, 64];
const INFLIGHT = [1, 32];

interface HopRun extends WrkResult {
  /** CPU µs per request of each process during the run. */
  cpuUsPerReq: { a: number; b: number; nats: number };
}
interface NativeRun {
  rps: number;
  p50Us: number;
  p99Us: number;
  requests: number;
  failed: number;
  cpuUsPerReq: { client: number; a: number; nats: number };
}

let fx: Fixture | undefined;
let nats: SingleNats | undefined;
let port: MessagingPort | undefined;
let presence: Presence | undefined;
const nodes: ElmscaleProc[] = [];
const startLoad = conditions();
try {
  fx = await digitsFixture();
  nats = await startNats();
  const natsPid = nats.server.proc.pid;
  // --no-cache: the same body every request must run the model, as distinct inputs would (no reply-cache hits).
  const a = await startNode(nats.url, 'a', ['--model', fx.files.v1, '--no-cache']);
  nodes.push(a);
  const b = await startNode(nats.url, 'b', ['--no-cache']);
  nodes.push(b);
  const urls = { local: `${a.ready}/v2/models/digits/infer`, forwarded: `${b.ready}/v2/models/digits/infer` };
  await answers(urls.forwarded, fx.body); // B's presence shows A holding digits
  const lua = postScript(fx.row, 64);
  const pids = { a: a.proc.pid, b: b.proc.pid, nats: natsPid };
  const cpuAll = () => ({ a: cpuUs(pids.a), b: cpuUs(pids.b), nats: cpuUs(pids.nats) });

  // ---- 1. HTTP fronts: local vs forwarded ----------------------------------------------------------------------
  for (const u of Object.values(urls)) await wrk(u, 64, 2, lua); // warm-up: JIT, batching cost table, connections
  const fronts: Record<string, { local: HopRun[]; forwarded: HopRun[] }> = {};
  for (let p = 0; p < pairs; p++) {
    for (const c of CONNS) {
      const order = (p + c) % 2 === 0 ? (['local', 'forwarded'] as const) : (['forwarded', 'local'] as const);
      for (const path of order) {
        const c0 = cpuAll();
        const r = await wrk(urls[path], c, seconds, lua);
        const c1 = cpuAll();
        const n = Math.max(1, r.requests);
        const run: HopRun = {
          ...r,
          cpuUsPerReq: {
            a: round((c1.a - c0.a) / n),
            b: round((c1.b - c0.b) / n),
            nats: round((c1.nats - c0.nats) / n),
          },
        };
        ((fronts[`c${c}`] ??= { local: [], forwarded: [] })[path] as HopRun[]).push(run);
        line(
          `pair ${p + 1} c=${String(c).padStart(2)} ${path.padEnd(9)} ${r.rps.toFixed(0).padStart(6)} req/s  ` +
            `P50 ${r.p50ms.toFixed(3)} ms  P99 ${r.p99ms.toFixed(3)} ms  CPU µs/req A ${run.cpuUsPerReq.a} ` +
            `B ${run.cpuUsPerReq.b} nats ${run.cpuUsPerReq.nats}  non-2xx ${r.non2xx}`,
        );
      }
    }
  }
  const frontSummary: Record<string, unknown> = {};
  for (const c of CONNS) {
    const { local, forwarded } = fronts[`c${c}`]!;
    const med = (xs: number[], d = 3) => round(median(xs), d);
    const each = (f: (l: HopRun, w: HopRun) => number) => local.map((l, i) => f(l, forwarded[i]!));
    const s = {
      local: {
        rps: med(
          local.map((r) => r.rps),
          0,
        ),
        p50ms: med(local.map((r) => r.p50ms)),
        p99ms: med(local.map((r) => r.p99ms)),
        cpuUsPerReqA: med(
          local.map((r) => r.cpuUsPerReq.a),
          1,
        ),
        cpuUsPerReqNats: med(
          local.map((r) => r.cpuUsPerReq.nats),
          1,
        ),
      },
      forwarded: {
        rps: med(
          forwarded.map((r) => r.rps),
          0,
        ),
        p50ms: med(forwarded.map((r) => r.p50ms)),
        p99ms: med(forwarded.map((r) => r.p99ms)),
        cpuUsPerReqB: med(
          forwarded.map((r) => r.cpuUsPerReq.b),
          1,
        ),
        cpuUsPerReqA: med(
          forwarded.map((r) => r.cpuUsPerReq.a),
          1,
        ),
        cpuUsPerReqNats: med(
          forwarded.map((r) => r.cpuUsPerReq.nats),
          1,
        ),
      },
      /** Medians over pairs of forwarded − local (or forwarded / local). */
      extraP50ms: med(each((l, w) => w.p50ms - l.p50ms)),
      extraP99ms: med(each((l, w) => w.p99ms - l.p99ms)),
      p50Ratio: med(each((l, w) => w.p50ms / l.p50ms)),
      p99Ratio: med(each((l, w) => w.p99ms / l.p99ms)),
      rpsRatio: med(each((l, w) => w.rps / l.rps)),
      /** (B + A) per forwarded request − A per local request. */
      extraCpuUsPerForwarded: med(
        each((l, w) => w.cpuUsPerReq.b + w.cpuUsPerReq.a - l.cpuUsPerReq.a),
        1,
      ),
      /** The same plus nats-server's extra. */
      extraCpuUsPerForwardedWithNats: med(
        each((l, w) => w.cpuUsPerReq.b + w.cpuUsPerReq.a + w.cpuUsPerReq.nats - l.cpuUsPerReq.a - l.cpuUsPerReq.nats),
        1,
      ),
      cpuRatio: med(each((l, w) => (w.cpuUsPerReq.b + w.cpuUsPerReq.a) / l.cpuUsPerReq.a)),
      non2xx: [...local, ...forwarded].reduce((t, r) => t + r.non2xx, 0),
    };
    frontSummary[`c${c}`] = s;
    line(
      `c=${c}: local ${s.local.rps} req/s P50 ${s.local.p50ms} P99 ${s.local.p99ms} ms, ${s.local.cpuUsPerReqA} µs/req | ` +
        `forwarded ${s.forwarded.rps} req/s P50 ${s.forwarded.p50ms} P99 ${s.forwarded.p99ms} ms | extra P50 ` +
        `${s.extraP50ms} ms (×${s.p50Ratio}) P99 ${s.extraP99ms} ms (×${s.p99Ratio}), req/s ×${s.rpsRatio}, ` +
        `extra CPU ${s.extraCpuUsPerForwarded} µs/req (+nats ${s.extraCpuUsPerForwardedWithNats}), CPU ×${s.cpuRatio}`,
    );
  }

  // ---- 2. NATS-native (ClusterClient) vs HTTP from this process ------------------------------------------------
  port = await connectCluster(nats.url, { name: 'bench-hop' });
  presence = await Presence.open(port);
  const pr = presence;
  await until('presence showing A', () => pr.holders('digits').length === 1);
  const client = new ClusterClient(port, { presence, timeoutMs: 5000 });
  const call = fx.call('digits');
  const body = fx.body;
  const paths: Record<string, (agent: Agent) => Promise<number>> = {
    'nats (ClusterClient)': async () => (await client.infer(call)).status,
    'http (fetch)': async () => {
      const r = await fetch(urls.local, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      await r.arrayBuffer();
      return r.status;
    },
    'http (node:http keep-alive)': (agent) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          urls.local,
          { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
  };
  async function closedLoop(once: (agent: Agent) => Promise<number>, inflight: number, ms: number) {
    const agent = new Agent({ keepAlive: true, maxSockets: inflight });
    const lat: number[] = [];
    let failed = 0;
    const end = performance.now() + ms;
    const c0 = process.cpuUsage();
    const o0 = { a: cpuUs(pids.a), nats: cpuUs(pids.nats) };
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: inflight }, async () => {
        while (performance.now() < end) {
          const s = performance.now();
          if ((await once(agent)) !== 200) failed++;
          lat.push(performance.now() - s);
        }
      }),
    );
    const el = performance.now() - t0;
    const cu = process.cpuUsage(c0);
    const n = Math.max(1, lat.length);
    agent.destroy();
    return {
      rps: Math.round((lat.length / el) * 1000),
      p50Us: Math.round(quantile(lat, 0.5) * 1000),
      p99Us: Math.round(quantile(lat, 0.99) * 1000),
      requests: lat.length,
      failed,
      cpuUsPerReq: {
        client: round((cu.user + cu.system) / n),
        a: round((cpuUs(pids.a) - o0.a) / n),
        nats: round((cpuUs(pids.nats) - o0.nats) / n),
      },
    } satisfies NativeRun;
  }
  const native: Record<string, Record<string, NativeRun[]>> = {};
  for (const [, once] of Object.entries(paths)) for (const k of INFLIGHT) await closedLoop(once, k, 300); // warm-up
  const names = Object.keys(paths);
  for (let p = 0; p < pairs; p++) {
    for (const k of INFLIGHT) {
      const order = names.map((_, i) => names[(i + p) % names.length]!); // rotate who goes first
      for (const name of order) {
        const r = await closedLoop(paths[name]!, k, nativeSeconds * 1000);
        ((native[`${k} in flight`] ??= {})[name] ??= []).push(r);
        line(
          `pair ${p + 1} ${String(k).padStart(2)} in flight ${name.padEnd(28)} ${String(r.rps).padStart(6)} req/s  ` +
            `P50 ${r.p50Us} µs  P99 ${r.p99Us} µs  CPU µs/req client ${r.cpuUsPerReq.client} A ${r.cpuUsPerReq.a} ` +
            `nats ${r.cpuUsPerReq.nats}  failed ${r.failed}`,
        );
      }
    }
  }
  const nativeSummary: Record<string, Record<string, unknown>> = {};
  for (const [k, byPath] of Object.entries(native)) {
    nativeSummary[k] = {};
    for (const [name, rs] of Object.entries(byPath)) {
      const med = (f: (r: NativeRun) => number, d = 1) => round(median(rs.map(f)), d);
      nativeSummary[k][name] = {
        rps: med((r) => r.rps, 0),
        p50Us: med((r) => r.p50Us, 0),
        p99Us: med((r) => r.p99Us, 0),
        clientCpuUsPerReq: med((r) => r.cpuUsPerReq.client),
        aCpuUsPerReq: med((r) => r.cpuUsPerReq.a),
        natsCpuUsPerReq: med((r) => r.cpuUsPerReq.nats),
        failed: rs.reduce((t, r) => t + r.failed, 0),
      };
      const s = nativeSummary[k][name] as Record<string, number>;
      line(
        `${k} ${name}: ${s.rps} req/s  P50 ${s.p50Us} µs  P99 ${s.p99Us} µs  CPU µs/req client ${s.clientCpuUsPerReq} ` +
          `A ${s.aCpuUsPerReq} nats ${s.natsCpuUsPerReq}`,
      );
    }
  }

  const path = writeResult('cluster-hop', {
    date: new Date().toISOString(),
    node: process.version,
    ...conditions(),
    loadavgStart: startLoad.loadavg,
    loadavgEnd: conditions().loadavg,
    setup:
      'one nats-server 2.9.10 (JetStream, loopback); node A = serve --cluster --model digits.elm (L=1024), node B = ' +
      'serve --cluster holding nothing (its front forwards digits over NATS to A); both --no-cache (every request ' +
      'runs the model); 2 cores shared by nats-server, A, ' +
      'B, the load generator and whatever else runs on the machine',
    fronts: {
      conditions: `closed loop, wrk -t1 -c{${CONNS.join(',')}}, ${seconds} s per run after a 2 s warm-up per URL, ${pairs} interleaved pairs (order alternating), one JSON digits row per request`,
      cpu: 'µs per request from /proc/<pid>/stat (10 ms ticks) over each run',
      summary: frontSummary,
      runs: fronts,
    },
    native: {
      conditions: `closed loop from this process, ${INFLIGHT.join(' / ')} in flight, ${nativeSeconds} s per run after 300 ms warm-up, ${pairs} rounds (order rotating); ClusterClient with presence (addresses A's direct subject), timeout 5000 ms; HTTP to A's front`,
      summary: nativeSummary,
      runs: native,
    },
  });
  line(`wrote ${path}`);
} finally {
  presence?.close();
  await port?.close().catch(() => undefined);
  for (const n of nodes) await n.proc.close();
  await nats?.close();
  fx?.remove();
}
