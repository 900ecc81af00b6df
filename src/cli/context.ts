import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../adapters/node/atomic-write.js';
import { dirname, join } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { ElmError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import type { Backend } from '../numeric/backend.js';
import { ModelCodecs, type LoadedModel } from '../models/artifact/codecs.js';
import { remapLabels } from '../data/labels.js';
import type { Dataset } from '../data/dataset.js';
import type { Model } from '../models/model.js';
import { loadDataSpec } from '../adapters/node/data-files.js';
import { selectBackend } from '../adapters/node/backends.js';
import { registerStrategyCodecs } from '../strategies/codecs.js';

/** Shared plumbing for CLI commands: backend choice, codecs, artifact files, progress bars. */
export interface CliContext {
  backend: Backend;
  codecs: ModelCodecs;
}

export async function cliContext(): Promise<CliContext> {
  return { backend: await selectBackend(), codecs: registerStrategyCodecs(new ModelCodecs()) };
}

export async function readModel(ctx: CliContext, path: string): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new ElmError(
      'ELM_ERR_DATA_NOT_FOUND',
      `cannot read model file "${path}": ${(e as Error).message}`,
      undefined,
      e,
    );
  }
  // Composite artifacts (router, moe) written with external members resolve them as <sha256>.elm next to the file.
  const resolveMember = (hash: string): Uint8Array | undefined => {
    try {
      return readFileSync(join(dirname(path), `${hash}.elm`));
    } catch {
      return undefined;
    }
  };
  return ctx.codecs.decode(bytes, { backend: ctx.backend, resolveMember });
}

export async function writeModel(
  ctx: CliContext,
  model: Model,
  path: string,
  storeHiddenWeights = false,
): Promise<{ bytes: number; contentHash: string }> {
  const bytes = ctx.codecs.encode(model, { storeHiddenWeights });
  await writeFileAtomic(path, bytes);
  return { bytes: bytes.length, contentHash: sha256Hex(bytes) };
}

/** Load a data spec; for a classifier, put the class indices onto the model's label list. */
export async function loadData(spec: string, model?: Model): Promise<Dataset> {
  const ds = await loadDataSpec(spec);
  if (model && ds.task === 'classification' && model.labels) return remapLabels(ds, model.labels);
  return ds;
}

/** A progress bar on stderr, only for humans (not with --json, not when stderr is not a TTY). */
export function progress(label: string, enabled: boolean): { update(done: number, total: number): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} rows | ETA {eta}s`, stream: process.stderr },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
