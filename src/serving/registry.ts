import { ElmError } from '../core/errors.js';
import type { Model } from '../models/model.js';
import type { Batcher } from './batching/batcher.js';
import type { ModelIO } from './protocol/model-io.js';
import type { StatsRecorder } from './stats.js';

export type ModelState = 'ready' | 'unloading';

/** One loaded model version and everything that serves it. */
export interface ModelEntry {
  readonly name: string;
  readonly version: string;
  /** Executor key: unique per load, so a replaced version never shares state with its successor. */
  readonly key: string;
  readonly generation: number;
  readonly model: Model;
  readonly io: ModelIO;
  readonly contentHash: string;
  readonly loadedAtMs: number;
  readonly batcher: Batcher;
  readonly stats: StatsRecorder;
  readonly cachePrefix: string;
  state: ModelState;
}

const numeric = (v: string): number | undefined => {
  const n = Number(v);
  return v !== '' && Number.isFinite(n) ? n : undefined;
};

/**
 * Version order, a total order (so "the highest version" is well defined): numeric versions by value, below every
 * non-numeric one; non-numeric versions by code units; numerically equal spellings ("2", "2.0") by code units.
 * (Comparing numbers numerically and everything else as text was not transitive: "2" < "10" < "1a" < "2".)
 */
export function compareVersions(a: string, b: string): number {
  const na = numeric(a),
    nb = numeric(b);
  if (na !== undefined && nb !== undefined && na !== nb) return na - nb;
  if (na !== undefined && nb === undefined) return -1;
  if (na === undefined && nb !== undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function checkModelName(kind: 'model name' | 'version', s: unknown): string {
  if (typeof s !== 'string' || !NAME_RE.test(s)) {
    throw new ElmError('ELM_ERR_BAD_REQUEST', `invalid ${kind} ${JSON.stringify(s)} (letters, digits, _ . -)`);
  }
  return s;
}

/**
 * Models by name and version. The default version of a name is the one set explicitly, else the highest.
 * Swapping an entry is one synchronous map write, so a request resolves either the old or the new version.
 */
export class ModelRegistry {
  /** Per name: its versions, the pinned default, and the highest version (kept on put/remove: read per request). */
  private readonly byName = new Map<string, { versions: Map<string, ModelEntry>; pinned?: string; highest?: string }>();

  get(name: string, version?: string): ModelEntry {
    const m = this.byName.get(name);
    if (!m) throw new ElmError('ELM_ERR_MODEL_NOT_FOUND', `model "${name}" is not loaded`, { name });
    const v = version ?? this.defaultVersion(name);
    const e = v === undefined ? undefined : m.versions.get(v);
    if (!e) {
      throw new ElmError('ELM_ERR_MODEL_NOT_FOUND', `model "${name}" has no version "${version}"`, { name, version });
    }
    return e;
  }

  has(name: string, version?: string): boolean {
    const m = this.byName.get(name);
    return !!m && (version === undefined ? m.versions.size > 0 : m.versions.has(version));
  }

  defaultVersion(name: string): string | undefined {
    const m = this.byName.get(name);
    if (!m) return undefined;
    if (m.pinned !== undefined && m.versions.has(m.pinned)) return m.pinned;
    return m.highest;
  }

  /** Pin the default version of a name (undefined = highest). */
  setDefault(name: string, version: string | undefined): void {
    const m = this.byName.get(name);
    if (!m) throw new ElmError('ELM_ERR_MODEL_NOT_FOUND', `model "${name}" is not loaded`);
    if (version !== undefined && !m.versions.has(version)) {
      throw new ElmError('ELM_ERR_MODEL_NOT_FOUND', `model "${name}" has no version "${version}"`);
    }
    if (version === undefined) delete m.pinned;
    else m.pinned = version;
  }

  versions(name: string): string[] {
    const m = this.byName.get(name);
    return m ? [...m.versions.keys()].sort(compareVersions) : [];
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  entries(): ModelEntry[] {
    return this.names().flatMap((n) => this.versions(n).map((v) => this.byName.get(n)!.versions.get(v)!));
  }

  /** Put an entry; returns the entry it replaced, if any. */
  put(e: ModelEntry): ModelEntry | undefined {
    let m = this.byName.get(e.name);
    if (!m) this.byName.set(e.name, (m = { versions: new Map() }));
    const old = m.versions.get(e.version);
    m.versions.set(e.version, e);
    if (m.highest === undefined || compareVersions(e.version, m.highest) > 0) m.highest = e.version;
    return old;
  }

  /** Remove one version (or all versions) of a name; returns the removed entries. */
  remove(name: string, version?: string): ModelEntry[] {
    const m = this.byName.get(name);
    if (!m) throw new ElmError('ELM_ERR_MODEL_NOT_FOUND', `model "${name}" is not loaded`, { name });
    let out: ModelEntry[];
    if (version === undefined) {
      out = [...m.versions.values()];
      m.versions.clear();
    } else {
      const e = m.versions.get(version);
      if (!e) throw new ElmError('ELM_ERR_MODEL_NOT_FOUND', `model "${name}" has no version "${version}"`);
      m.versions.delete(version);
      out = [e];
    }
    if (m.versions.size === 0) this.byName.delete(name);
    else m.highest = this.versions(name).at(-1);
    return out;
  }
}
