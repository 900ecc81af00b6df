/**
 * Shared pieces of the cluster benchmarks (hop.ts, fronts.ts, faults.ts): a temp dir with the digits artifacts,
 * `elmscale serve --cluster` nodes as child processes (test/helpers/proc.ts), CPU of a process from /proc, the
 * front's routing counter from /metrics, the machine's conditions, and cleanup that runs even on failure or Ctrl-C
 * (proc.ts SIGKILLs live children and removes registered temp dirs at process exit).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../../src/adapters/node/backends.js';
import { loadDataSpec } from '../../src/adapters/node/data-files.js';
import { ELM } from '../../src/models/elm.js';
import { ModelCodecs } from '../../src/models/artifact/codecs.js';
import type { InferCall } from '../../src/serving/pipeline.js';
import { registerTempDir, removeTempDir, startElmscale, type ElmscaleProc } from '../../test/helpers/proc.js';
import { median, quantile } from '../kernels/util.js';

export { median, quantile };
export { cpuUs } from '../serving/common.js';

/** Ctrl-C / SIGTERM exit through process.exit, so proc.ts's exit hook kills the children and removes temp dirs. */
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

export const line = (s: string): void => void process.stdout.write(s + '\n');
export const round = (x: number, d = 1): number => (Number.isFinite(x) ? +x.toFixed(d) : x);

/** Positional numeric arguments (flags such as --quick from run-all are ignored). */
export function numArgs(): number[] {
  return process.argv
    .slice(2)
    .filter((a) => /^\d+(\.\d+)?$/.test(a))
    .map(Number);
}

export function conditions(): { cores: number; loadavg: number[] } {
  return { cores: availableParallelism(), loadavg: loadavg().map((x) => round(x, 2)) };
}

export interface Fixture {
  dir: string;
  /** The digits model (L = 1024, seed 42: the demo model) and a second version (seed 43). */
  files: { v1: string; v2: string };
  bytes: { v1: Uint8Array; v2: Uint8Array };
  /** A digits infer body (one test row, output "class"), as JSON text. */
  body: string;
  /** The test row the body carries. */
  row: number[];
  call(model: string): InferCall;
  remove(): void;
}

/** Train the digits model twice (two seeds) and write both artifacts into a fresh temp dir. */
export async function digitsFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'elmscale-cluster-bench-'));
  registerTempDir(dir);
  const backend = await selectBackend({ purpose: 'serving' });
  const train = await loadDataSpec('digits:train');
  if (train.task !== 'classification') throw new Error('digits must be a classification set');
  const codecs = new ModelCodecs();
  const v1 = codecs.encode(ELM.fit(train, { hidden: 1024, seed: 42 }, { backend }));
  const v2 = codecs.encode(ELM.fit(train, { hidden: 1024, seed: 43 }, { backend }));
  const files = { v1: join(dir, 'digits.elm'), v2: join(dir, 'digits-v2.elm') };
  writeFileSync(files.v1, v1);
  writeFileSync(files.v2, v2);
  const row = Array.from((await loadDataSpec('digits:test')).x.subarray(0, 64));
  const body = JSON.stringify({
    inputs: [{ name: 'input', shape: [1, 64], datatype: 'FP32', data: row }],
    outputs: [{ name: 'class' }],
  });
  const bodyBytes = new TextEncoder().encode(body);
  return {
    dir,
    files,
    bytes: { v1, v2 },
    body,
    row,
    call: (model) => ({ model, body: bodyBytes, contentType: 'application/json' }),
    remove: () => removeTempDir(dir),
  };
}

/** `elmscale serve --cluster <url> --node-id <id> --port 0 …`, ready once it printed its URL (it has joined). */
export function startNode(cluster: string, id: string, extra: string[] = []): Promise<ElmscaleProc> {
  return startElmscale(['serve', '--cluster', cluster, '--port', '0', '--node-id', id, ...extra], {
    name: `node ${id}`,
    readyTimeoutMs: 60_000,
  });
}

/** The front's routing counter (elmscale_cluster_requests_total{path}) of one node. */
export async function routed(url: string): Promise<{ local: number; forwarded: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const get = (p: string) =>
    Number(new RegExp(`^elmscale_cluster_requests_total\\{path="${p}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { local: get('local'), forwarded: get('forwarded') };
}

/** Wait (polling) until `ok()` is true. */
export async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** POST the digits body until the URL answers 200 (a front that forwards needs presence to show a holder). */
export async function answers(url: string, body: string, timeoutMs = 30_000): Promise<void> {
  await until(
    `${url} answering`,
    async () => {
      const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      await r.arrayBuffer();
      return r.status === 200;
    },
    timeoutMs,
  );
}
