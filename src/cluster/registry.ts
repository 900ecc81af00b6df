import { ElmError, isElmError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import { BUCKET, modelToken, tokenModel } from './names.js';
import type { KvBucket, MessagingPort, ObjectBucket } from './port.js';
import { followBucket, type Follower } from './watch.js';
import { decodeModelRecord, encodeRecord, type ModelRecord } from './records.js';

export interface DeployOptions {
  name: string;
  bytes: Uint8Array;
  /** Version name (default: the current version + 1 when numeric, else "1"). */
  version?: string;
  /** Deploy as a canary taking this share (0..1) of unversioned requests, beside the current version. */
  canaryShare?: number;
  /** Deploy only if the model's record is still at this revision (0 = only if not deployed yet). */
  ifRevision?: number;
}

export interface DeployResult {
  record: ModelRecord;
  revision: number;
  /** False when the artifact was already stored (same content hash). */
  uploaded: boolean;
}

/**
 * The cluster's model registry: artifacts in the Object Store under their SHA-256, the current version of each
 * model in a KV bucket, moved by compare-and-set. A deploy that races another loses with ELM_ERR_CONFLICT and
 * changes nothing; the artifact it uploaded stays (content-addressed, harmless, reusable by a retry).
 */
export class ClusterRegistry {
  private constructor(
    readonly models: KvBucket,
    readonly artifacts: ObjectBucket,
  ) {}

  static async open(port: MessagingPort, o: { replicas?: number } = {}): Promise<ClusterRegistry> {
    const replicas = o.replicas ?? 1;
    const [models, artifacts] = await Promise.all([
      port.kv(BUCKET.models, { history: 5, replicas }),
      port.objects(BUCKET.artifacts, { replicas }),
    ]);
    return new ClusterRegistry(models, artifacts);
  }

  async get(name: string): Promise<{ record: ModelRecord; revision: number } | null> {
    const e = await this.models.get(modelToken(name));
    return e ? { record: decodeModelRecord(e.value), revision: e.revision } : null;
  }

  async list(): Promise<ModelRecord[]> {
    const out: ModelRecord[] = [];
    for (const k of await this.models.keys()) {
      const r = await this.get(k).catch(() => null);
      if (r) out.push(r.record);
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Store the artifact (if new) and move the model's pointer by compare-and-set against what was read. */
  async deploy(o: DeployOptions): Promise<DeployResult> {
    const sha = sha256Hex(o.bytes);
    const uploaded = (await this.artifacts.info(sha)) === null;
    if (uploaded) await this.artifacts.put(sha, o.bytes, { description: `${o.name} artifact` });
    const current = await this.get(o.name);
    if (o.ifRevision !== undefined && (current?.revision ?? 0) !== o.ifRevision) {
      throw new ElmError(
        'ELM_ERR_CONFLICT',
        `"${o.name}" is at revision ${current?.revision ?? 0}, not ${o.ifRevision}`,
        {
          model: o.name,
        },
      );
    }
    const base = current?.record;
    // Deploying what is already current is a no-op (a retried deploy must not mint a new version).
    if (current && base && base.artifact === sha && !base.canary && o.canaryShare === undefined) {
      if (o.version === undefined || o.version === base.version)
        return { record: base, revision: current.revision, uploaded };
    }
    const version = o.version ?? nextVersion(base);
    const now = Date.now();
    let record: ModelRecord;
    if (o.canaryShare !== undefined) {
      if (!base) throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `a canary needs a current version of "${o.name}"`);
      if (!(o.canaryShare >= 0 && o.canaryShare <= 1)) {
        throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `canary share must be within 0..1, got ${o.canaryShare}`);
      }
      record = {
        ...base,
        canary: { version, artifact: sha, size: o.bytes.length, share: o.canaryShare },
        deployedMs: now,
      };
    } else {
      record = { name: o.name, version, artifact: sha, size: o.bytes.length, deployedMs: now };
    }
    const key = modelToken(o.name);
    try {
      const revision = current
        ? await this.models.update(key, encodeRecord(record), current.revision)
        : await this.models.create(key, encodeRecord(record));
      return { record, revision, uploaded };
    } catch (e) {
      if (isElmError(e, 'ELM_ERR_CONFLICT')) {
        throw new ElmError('ELM_ERR_CONFLICT', `another deploy of "${o.name}" changed it first; nothing was changed`, {
          model: o.name,
        });
      }
      throw e;
    }
  }

  /** Make the canary the current version (or drop it with `promote: false`). */
  async settleCanary(name: string, promote: boolean): Promise<ModelRecord> {
    const cur = await this.get(name);
    if (!cur?.record.canary) throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `"${name}" has no canary`);
    const { canary, ...rest } = cur.record;
    const record: ModelRecord = promote
      ? { ...rest, version: canary.version, artifact: canary.artifact, size: canary.size, deployedMs: Date.now() }
      : { ...rest, deployedMs: Date.now() };
    await this.models.update(modelToken(name), encodeRecord(record), cur.revision);
    return record;
  }

  async remove(name: string): Promise<void> {
    const cur = await this.get(name);
    if (!cur) throw new ElmError('ELM_ERR_MODEL_NOT_FOUND', `"${name}" is not deployed`);
    await this.models.delete(modelToken(name), { expectedRevision: cur.revision });
  }

  /** The artifact bytes, verified against their content hash (a corrupt or substituted object is refused). */
  async artifact(sha: string): Promise<Uint8Array> {
    const bytes = await this.artifacts.get(sha);
    if (!bytes)
      throw new ElmError('ELM_ERR_ARTIFACT_MEMBER_MISSING', `artifact ${sha.slice(0, 12)}… is not in the cluster`);
    if (sha256Hex(bytes) !== sha) {
      throw new ElmError('ELM_ERR_ARTIFACT_CHECKSUM', `artifact ${sha.slice(0, 12)}… does not match its content hash`);
    }
    return bytes;
  }

  /**
   * Every record now, then every change (a delete gives `null`), across server restarts: after each resync, models
   * that vanished meanwhile are reported deleted (`known` says which names the follower holds).
   */
  follow(
    port: MessagingPort,
    onChange: (name: string, record: ModelRecord | null) => void,
    known: () => Iterable<string>,
  ): Follower {
    return followBucket(
      port,
      async () => this.models,
      (e) => {
        if (e.operation === 'delete') return onChange(tokenModel(e.key), null);
        let r: ModelRecord;
        try {
          r = decodeModelRecord(e.value);
        } catch {
          return; // not ours to serve
        }
        onChange(r.name, r);
      },
      {
        onSynced: (keys) => {
          for (const name of known()) if (!keys.has(modelToken(name))) onChange(name, null);
        },
      },
    );
  }
}

function nextVersion(base: ModelRecord | undefined): string {
  if (!base) return '1';
  const latest = base.canary?.version ?? base.version;
  const n = Number(latest);
  return Number.isInteger(n) && n >= 0 ? String(n + 1) : '1';
}
