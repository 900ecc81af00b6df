import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterClient } from '../../src/cluster/client.js';
import type { MessagingPort } from '../../src/cluster/port.js';
import { Presence } from '../../src/cluster/presence.js';
import { sha256Hex } from '../../src/core/hash.js';
import { ModelCodecs } from '../../src/models/artifact/codecs.js';
import type { InferCall } from '../../src/serving/pipeline.js';
import { registerTempDir } from '../helpers/proc.js';
import { startElmscale, type ElmscaleProc } from '../helpers/proc.js';
import { waitUntil } from '../helpers/wait.js';
import { fixtures, inferBody, row } from '../serving/helpers.js';

const utf8 = new TextEncoder();

/** Two digits models (L = 64 and 96) as artifacts in a temp dir, and a request body per test row. */
export async function clusterFixtures() {
  const fx = await fixtures();
  const dir = mkdtempSync(join(tmpdir(), 'elmscale-cluster-'));
  registerTempDir(dir);
  const codecs = new ModelCodecs();
  const v1 = codecs.encode(fx.model);
  const v2 = codecs.encode(fx.model2);
  const files = { v1: join(dir, 'v1.elm'), v2: join(dir, 'v2.elm') };
  writeFileSync(files.v1, v1);
  writeFileSync(files.v2, v2);
  const call = (model: string, i: number, extra: Partial<InferCall> = {}): InferCall => ({
    model,
    body: utf8.encode(inferBody([row(fx.data, i)], { outputs: [{ name: 'probabilities' }] })),
    contentType: 'application/json',
    ...extra,
  });
  return { fx, dir, v1, v2, v1Sha: sha256Hex(v1), v2Sha: sha256Hex(v2), files, call };
}

/** `elmscale serve --cluster` as a child process, ready once it printed its URL (it has joined by then). */
export function startNode(cluster: string, id: string, extra: string[] = []): Promise<ElmscaleProc> {
  return startElmscale(['serve', '--cluster', cluster, '--port', '0', '--node-id', id, ...extra], {
    readyTimeoutMs: 60_000,
  });
}

/** Wait until the presence bucket shows every node in `ids` holding model@version. */
export function waitForHolders(presence: Presence, model: string, version: string, ids: string[]): Promise<true> {
  return waitUntil(
    `${ids.join(', ')} holding ${model}@${version}`,
    () => {
      const have = new Set(
        presence
          .holders(model)
          .filter((n) => n.models[model]![0] === version)
          .map((n) => n.id),
      );
      return ids.every((id) => have.has(id));
    },
    { timeoutMs: 30_000 },
  );
}

export async function clientFor(port: MessagingPort, timeoutMs = 2000, replicas = 1) {
  const presence = await Presence.open(port, { replicas });
  return { presence, client: new ClusterClient(port, { presence, timeoutMs }) };
}

/** Decode an answer's JSON payload. */
export function answerJson(a: { payload: string | Uint8Array }): {
  outputs?: { data: number[] }[];
  code?: string;
  model_version?: string;
} {
  return JSON.parse(typeof a.payload === 'string' ? a.payload : new TextDecoder().decode(a.payload));
}

/**
 * A closed-loop load of `concurrency` callers until stop(); counts every outcome (the ledger a fault test checks).
 */
const running = new Set<{ stop(): Promise<unknown> }>();

/** Stop every load loop still running (call in after(): a failed assertion must not leave callers spinning). */
export async function stopAllLoads(): Promise<void> {
  await Promise.all([...running].map((l) => l.stop()));
}

export function loadLoop(
  concurrency: number,
  once: () => Promise<{ status: number; attempts?: number }>,
  o: { maxMs?: number } = {},
) {
  let stopped = false;
  // A safety stop: a test that fails before its stop() must not keep the process alive forever.
  const safety = setTimeout(() => (stopped = true), o.maxMs ?? 90_000);
  safety.unref();
  const ledger = { ok: 0, failed: [] as number[], retried: 0 };
  const runners = Array.from({ length: concurrency }, async () => {
    while (!stopped) {
      const a = await once();
      if (a.status === 200) ledger.ok++;
      else ledger.failed.push(a.status);
      if ((a.attempts ?? 1) > 1) ledger.retried++;
    }
  });
  const loop = {
    ledger,
    async stop() {
      stopped = true;
      clearTimeout(safety);
      await Promise.all(runners);
      running.delete(loop);
      return ledger;
    },
  };
  running.add(loop);
  return loop;
}
