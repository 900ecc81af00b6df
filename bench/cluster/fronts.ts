/**
 * Three nodes' HTTP fronts against one (issue 12, target 2), on ONE machine with 2 cores: three node processes,
 * nats-server and the load generators all share those 2 cores, so three fronts cannot add capacity here — this
 * measures what spreading the load over the fronts costs or gains on a fixed CPU budget, and the share of requests
 * the fronts answer locally (elmscale_cluster_requests_total{path} scraped from each node's /metrics).
 *
 * One nats-server; nodes a, b, c (`serve --cluster --no-cache`); "digits" (L = 1024) deployed through the registry
 * (every node holds it), and "solo" (the same artifact) loaded on a only (`--model solo.elm`). Scenarios, interleaved
 * in each round (order rotating), the same total connections C (default 48):
 *  - one front: one wrk (-t1 -cC) to a, digits (b and c idle);
 *  - three fronts: three wrk (-t1 -c C/3) in parallel to a, b, c, digits (all held locally);
 *  - three fronts, one holder: the same for "solo" (b and c forward to a over NATS).
 * Per run: total req/s, each front's P50/P99, routing counters, CPU of each process per request (/proc).
 * Run: npm run build && node dist/bench/cluster/fronts.js [pairs=4] [seconds=5] [connections=48]
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectCluster } from '../../src/adapters/node/nats/index.js';
import type { MessagingPort } from '../../src/cluster/port.js';
import { Presence } from '../../src/cluster/presence.js';
import { ClusterRegistry } from '../../src/cluster/registry.js';
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
  round,
  routed,
  startNode,
  until,
  type Fixture,
} from './_cluster.js';

if (skipNoNats) {
  line(`skipped: ${skipNoNats}`);
  process.exit(0);
}
const [pairs = 4, seconds = 5, C = 48] = numArgs();
const per = Math.max(1, Math.round(C / 3));

interface FrontsRun {
  scenario: string;
  rps: number;
  requests: number;
  non2xx: number;
  fronts: (WrkResult & { node: string })[];
  routed: Record<string, { local: number; forwarded: number }>;
  localShare: number;
  cpuUsPerReq: Record<string, number>;
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
  const solo = join(fx.dir, 'solo.elm');
  copyFileSync(fx.files.v1, solo);
  nats = await startNats();
  port = await connectCluster(nats.url, { name: 'bench-fronts' });
  await (await ClusterRegistry.open(port)).deploy({ name: 'digits', bytes: fx.bytes.v1 });
  for (const id of ['a', 'b', 'c']) {
    nodes.set(id, await startNode(nats.url, id, [...(id === 'a' ? ['--model', solo] : []), '--no-cache']));
  }
  presence = await Presence.open(port);
  const pr = presence;
  await until('3 holders of digits, 1 of solo', () => {
    return pr.holders('digits').length === 3 && pr.holders('solo').length === 1;
  });
  const url = (id: string, model: string) => `${nodes.get(id)!.ready}/v2/models/${model}/infer`;
  for (const id of nodes.keys()) await answers(url(id, 'solo'), fx.body); // every front sees a holding solo
  const lua = postScript(fx.row, 64);
  const pids: Record<string, number> = { nats: nats.server.proc.pid };
  for (const [id, n] of nodes) pids[id] = n.proc.pid;

  const scenarios: Record<string, { model: string; targets: [string, number][] }> = {
    'one front': { model: 'digits', targets: [['a', C]] },
    'three fronts': { model: 'digits', targets: ['a', 'b', 'c'].map((id) => [id, per] as [string, number]) },
    'three fronts, one holder': {
      model: 'solo',
      targets: ['a', 'b', 'c'].map((id) => [id, per] as [string, number]),
    },
  };
  // warm-up: every front, both models
  await Promise.all(
    ['a', 'b', 'c'].flatMap((id) => [wrk(url(id, 'digits'), 8, 2, lua), wrk(url(id, 'solo'), 8, 2, lua)]),
  );

  async function run(name: string): Promise<FrontsRun> {
    const s = scenarios[name]!;
    const r0 = Object.fromEntries(await Promise.all([...nodes].map(async ([id, n]) => [id, await routed(n.ready)])));
    const c0 = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuUs(p)]));
    const fronts = await Promise.all(
      s.targets.map(async ([id, c]) => ({ node: id, ...(await wrk(url(id, s.model), c, seconds, lua)) })),
    );
    const c1 = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuUs(p)]));
    const r1 = Object.fromEntries(await Promise.all([...nodes].map(async ([id, n]) => [id, await routed(n.ready)])));
    const requests = fronts.reduce((t, f) => t + f.requests, 0);
    const delta: Record<string, { local: number; forwarded: number }> = {};
    for (const id of nodes.keys()) {
      delta[id] = { local: r1[id].local - r0[id].local, forwarded: r1[id].forwarded - r0[id].forwarded };
    }
    const local = Object.values(delta).reduce((t, d) => t + d.local, 0);
    const fwd = Object.values(delta).reduce((t, d) => t + d.forwarded, 0);
    const cpuUsPerReq: Record<string, number> = {};
    let total = 0;
    for (const k of Object.keys(pids)) {
      cpuUsPerReq[k] = round((c1[k]! - c0[k]!) / Math.max(1, requests));
      total += c1[k]! - c0[k]!;
    }
    cpuUsPerReq.total = round(total / Math.max(1, requests));
    return {
      scenario: name,
      rps: Math.round(fronts.reduce((t, f) => t + f.rps, 0)),
      requests,
      non2xx: fronts.reduce((t, f) => t + f.non2xx, 0),
      fronts,
      routed: delta,
      localShare: round(local / Math.max(1, local + fwd), 4),
      cpuUsPerReq,
      loadavg: conditions().loadavg,
    };
  }

  const runs: Record<string, FrontsRun[]> = {};
  const names = Object.keys(scenarios);
  for (let p = 0; p < pairs; p++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + p) % names.length]!;
      const r = await run(name);
      (runs[name] ??= []).push(r);
      line(
        `round ${p + 1} ${name.padEnd(25)} ${String(r.rps).padStart(6)} req/s  ` +
          r.fronts.map((f) => `${f.node}: P50 ${f.p50ms.toFixed(2)} P99 ${f.p99ms.toFixed(2)} ms`).join('  ') +
          `  local share ${r.localShare}  CPU µs/req ${JSON.stringify(r.cpuUsPerReq)}  non-2xx ${r.non2xx}`,
      );
    }
  }
  const base = runs['one front']!;
  const summary: Record<string, unknown> = {};
  for (const name of names) {
    const rs = runs[name]!;
    const s = {
      connections: scenarios[name]!.targets.map(([id, c]) => `${id}:${c}`).join(' '),
      rps: Math.round(median(rs.map((r) => r.rps))),
      /** Medians over rounds of this scenario's req/s ÷ the one-front req/s of the same round. */
      rpsRatioVsOneFront: round(median(rs.map((r, i) => r.rps / base[i]!.rps)), 3),
      /** Median over rounds of the median front's P50, and of the worst front's P99. */
      p50ms: round(median(rs.map((r) => median(r.fronts.map((f) => f.p50ms)))), 3),
      p99msWorstFront: round(median(rs.map((r) => Math.max(...r.fronts.map((f) => f.p99ms)))), 3),
      localShare: round(median(rs.map((r) => r.localShare)), 4),
      cpuUsPerReqTotal: round(median(rs.map((r) => r.cpuUsPerReq.total!)), 1),
      non2xx: rs.reduce((t, r) => t + r.non2xx, 0),
    };
    summary[name] = s;
    line(
      `${name}: ${s.rps} req/s (×${s.rpsRatioVsOneFront} of one front), P50 ${s.p50ms} ms, worst front's P99 ` +
        `${s.p99msWorstFront} ms, answered locally ${(s.localShare * 100).toFixed(1)} %, ${s.cpuUsPerReqTotal} µs CPU/req (all processes)`,
    );
  }
  const path = writeResult('cluster-fronts', {
    date: new Date().toISOString(),
    node: process.version,
    ...conditions(),
    loadavgStart: startLoad.loadavg,
    loadavgEnd: conditions().loadavg,
    setup:
      'one nats-server 2.9.10 (JetStream, loopback); nodes a, b, c = serve --cluster --no-cache; digits (L=1024) ' +
      'deployed through the registry (all hold it); solo (same artifact) on a only. ONE machine with 2 cores shared ' +
      'by nats-server, three node processes and up to three wrk processes: three fronts cannot add CPU here.',
    conditions: `closed loop, wrk -t1, ${C} connections in total (one front: one wrk -c${C}; three fronts: three wrk -c${per} in parallel), ${seconds} s per run, ${pairs} rounds (order rotating), one JSON digits row per request`,
    localShareFrom:
      'elmscale_cluster_requests_total{path="local"|"forwarded"} scraped from each node before and after each run',
    summary,
    runs,
  });
  line(`wrote ${path}`);
} finally {
  presence?.close();
  await port?.close().catch(() => undefined);
  for (const n of nodes.values()) await n.proc.close();
  await nats?.close();
  fx?.remove();
}
