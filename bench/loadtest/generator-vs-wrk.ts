/**
 * Is the load generator the bottleneck? Side by side on a no-op HTTP endpoint (a node http server in a child process
 * answering a 12-byte JSON body), the same connection counts and duration, interleaved rounds:
 *   - wrk (Debian's /usr/bin/wrk, C, epoll, 1 thread),
 *   - elmscale's generator (raw keep-alive sockets, src/adapters/node/loadtest/runner.ts), closed loop,
 *   - a plain node http.Agent keep-alive client (the alternative we measured before choosing raw sockets).
 * Prints req/s of each and the ratio ours/wrk (target ≥ 0.80); writes bench/results/loadtest-generator.json.
 *   node dist/bench/loadtest/generator-vs-wrk.js [--quick]
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { requestBytes } from '../../src/adapters/node/loadtest/connection.js';
import { runStep } from '../../src/adapters/node/loadtest/runner.js';
import { median, writeResult } from '../kernels/util.js';

const WRK = '/usr/bin/wrk';
const quick = process.argv.includes('--quick');
const DURATION_S = quick ? 2 : 4;
const ROUNDS = quick ? 1 : 3;
const CONNECTIONS = [16, 64];

const SERVER = `
import { createServer } from 'node:http';
const body = Buffer.from('{"ok":true}\\n');
const s = createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }); res.end(body); });
});
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => console.log('PORT ' + s.address().port));
`;

function startNoop(): Promise<{ port: number; stop(): void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.on('data', (d: Buffer) => {
      const m = /PORT (\d+)/.exec(d.toString());
      if (m) resolve({ port: Number(m[1]), stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (c) => reject(new Error(`no-op server exited ${c}`)));
  });
}

function wrk(port: number, c: number): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(WRK, ['-t1', `-c${c}`, `-d${DURATION_S}s`, `http://127.0.0.1:${port}/`], (err, out) => {
      if (err) return reject(err);
      const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
      if (!m) return reject(new Error(`cannot parse wrk output:\n${out}`));
      resolve(Number(m[1]));
    });
  });
}

async function ours(port: number, c: number): Promise<{ rps: number; cpu: number | null }> {
  const r = await runStep(
    {
      mode: 'closed',
      concurrency: c,
      rate: null,
      warmupMs: 300,
      durationMs: DURATION_S * 1000,
      maxRequests: 1e9,
      phase: 'sweep',
    },
    { host: '127.0.0.1', port, requests: [requestBytes('GET', '/', `127.0.0.1:${port}`)], timeoutMs: 5000 },
  );
  if (r.errors + r.timeouts > 0) throw new Error(`generator saw ${r.errors} errors, ${r.timeouts} timeouts`);
  return { rps: (r.ok + 0) / r.durationS, cpu: r.generatorCpu };
}

/** The alternative: node's http client with a keep-alive Agent, closed loop, c requests in flight. */
function agentClient(port: number, c: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: c });
  return new Promise((resolve) => {
    let n = 0;
    let stop = false;
    const t0 = performance.now() + 300;
    let live = c;
    const one = () => {
      if (stop) {
        if (--live === 0) {
          agent.destroy();
          resolve(n / ((performance.now() - t0) / 1000));
        }
        return;
      }
      request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (performance.now() >= t0) n++;
          one();
        });
      }).end();
    };
    for (let i = 0; i < c; i++) one();
    setTimeout(() => (stop = true), 300 + DURATION_S * 1000);
  });
}

async function main(): Promise<void> {
  if (!existsSync(WRK)) {
    console.log(`skipped: ${WRK} not found (apt-get install wrk)`);
    return;
  }
  const srv = await startNoop();
  const rows: {
    connections: number;
    wrk: number;
    elmscale: number;
    agent: number;
    ratio: number;
    agentRatio: number;
    generatorCpu: number | null;
  }[] = [];
  try {
    for (const c of CONNECTIONS) {
      const w: number[] = [];
      const o: number[] = [];
      const a: number[] = [];
      const cpu: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        w.push(await wrk(srv.port, c));
        const r = await ours(srv.port, c);
        o.push(r.rps);
        if (r.cpu !== null) cpu.push(r.cpu);
        a.push(await agentClient(srv.port, c));
      }
      const row = {
        connections: c,
        wrk: median(w),
        elmscale: median(o),
        agent: median(a),
        ratio: median(o) / median(w),
        agentRatio: median(a) / median(w),
        generatorCpu: cpu.length ? median(cpu) : null,
      };
      rows.push(row);
      console.log(
        `c=${String(c).padStart(3)}  wrk ${row.wrk.toFixed(0).padStart(6)} req/s   elmscale ${row.elmscale.toFixed(0).padStart(6)} req/s (${(row.ratio * 100).toFixed(0)}% of wrk, generator CPU ${row.generatorCpu === null ? '?' : (row.generatorCpu * 100).toFixed(0) + '%'})   http.Agent ${row.agent.toFixed(0).padStart(6)} req/s (${(row.agentRatio * 100).toFixed(0)}%)`,
      );
    }
  } finally {
    srv.stop();
  }
  const worst = Math.min(...rows.map((r) => r.ratio));
  console.log(`worst ratio elmscale/wrk: ${worst.toFixed(2)} (target ≥ 0.80) → ${worst >= 0.8 ? 'PASS' : 'FAIL'}`);
  const path = writeResult('loadtest-generator', {
    what: 'no-op endpoint req/s: wrk vs the elmscale generator vs a node http.Agent client (closed loop, same connections)',
    durationS: DURATION_S,
    rounds: ROUNDS,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadavg: loadavg(),
    node: process.version,
    rows,
    worstRatio: worst,
    target: 0.8,
  });
  console.log(`wrote ${path}`);
  if (worst < 0.8) process.exitCode = 1;
}

await main();
