import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ElmError } from '../../../core/errors.js';
import type { Backend } from '../../../numeric/backend.js';
import type { LoadedModel, ModelCodecs } from '../../../models/artifact/codecs.js';

export const ARTIFACT_EXT = '.elm';

/**
 * Resolve an artifact path inside the model directory. Relative paths resolve against it; the real path (symlinks
 * followed) must stay inside it, else ELM_ERR_FORBIDDEN_PATH. Without a model directory no path is allowed.
 */
export async function resolveInside(modelsDir: string | undefined, p: string): Promise<string> {
  if (!modelsDir) {
    throw new ElmError('ELM_ERR_FORBIDDEN_PATH', 'loading by path needs a model directory (--models)');
  }
  if (typeof p !== 'string' || p.length === 0 || p.includes('\0')) {
    throw new ElmError('ELM_ERR_BAD_REQUEST', 'artifact path must be a non-empty string');
  }
  const root = await realpath(modelsDir);
  const candidate = resolve(root, p);
  const inside = (q: string): boolean => {
    const rel = relative(root, q);
    return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
  };
  if (!inside(candidate)) throw new ElmError('ELM_ERR_FORBIDDEN_PATH', `path "${p}" escapes the model directory`);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    throw new ElmError('ELM_ERR_DATA_NOT_FOUND', `artifact "${p}" not found in the model directory`);
  }
  if (!inside(real)) throw new ElmError('ELM_ERR_FORBIDDEN_PATH', `path "${p}" escapes the model directory`);
  return real;
}

export async function readArtifact(path: string): Promise<Uint8Array> {
  try {
    const b = await readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new ElmError('ELM_ERR_DATA_NOT_FOUND', `cannot read artifact ${path}`, { path }, e);
  }
}

export interface DecodedArtifact extends LoadedModel {
  bytes: Uint8Array;
}

export function decodeArtifact(codecs: ModelCodecs, bytes: Uint8Array, backend: Backend): DecodedArtifact {
  return { ...codecs.decode(bytes, { backend }), bytes };
}

/** A model found in the model directory: <dir>/<name>.elm (version 1) or <dir>/<name>/<version>/<file>.elm. */
export interface FoundArtifact {
  name: string;
  version: string;
  path: string;
}

export async function scanModelsDir(dir: string): Promise<FoundArtifact[]> {
  const out: FoundArtifact[] = [];
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isFile() && extname(ent.name) === ARTIFACT_EXT) {
      out.push({ name: basename(ent.name, ARTIFACT_EXT), version: '1', path: p });
    } else if (ent.isDirectory()) {
      for (const v of await readdir(p, { withFileTypes: true })) {
        if (!v.isDirectory()) continue;
        const files = (await readdir(join(p, v.name))).filter((f) => extname(f) === ARTIFACT_EXT).sort();
        if (files.length > 0) out.push({ name: ent.name, version: v.name, path: join(p, v.name, files[0]!) });
      }
    }
  }
  return out.sort((a, b) => (a.name + a.version < b.name + b.version ? -1 : 1));
}

export async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
