import { Kvm, type KV, type KvEntry as NatsKvEntry, type KvOptions } from '@nats-io/kv';
import { StorageType, type JetStreamClient } from '@nats-io/jetstream';
import { ElmError } from '../../../core/errors.js';
import type { BucketOptions, KvBucket, KvEntry, KvWatch, KvWatchOptions } from '../../../cluster/port.js';
import { natsError } from './errors.js';

const BUCKET_NAME = /^[a-zA-Z0-9_-]+$/;

export function checkBucketName(name: string): void {
  if (!BUCKET_NAME.test(name))
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `bucket name must match ${BUCKET_NAME}: ${JSON.stringify(name)}`);
}

export function kvOptions(o: BucketOptions = {}): Partial<KvOptions> {
  const out: Partial<KvOptions> = {
    history: o.history ?? 1,
    replicas: o.replicas ?? 1,
    storage: o.storage === 'memory' ? StorageType.Memory : StorageType.File,
  };
  if (o.maxAgeMs !== undefined && o.maxAgeMs > 0) out.ttl = o.maxAgeMs;
  if (o.maxValueBytes !== undefined) out.maxValueSize = o.maxValueBytes;
  return out;
}

function toEntry(e: NatsKvEntry): KvEntry {
  return {
    key: e.key,
    value: e.operation === 'PUT' ? e.value : new Uint8Array(0),
    revision: e.revision,
    operation: e.operation === 'PUT' ? 'put' : 'delete',
    createdMs: e.created.getTime(),
  };
}

/** Open (or create) a KV bucket and wrap it in the port's interface, every error mapped to an ElmError code. */
export async function openKv(
  js: JetStreamClient,
  name: string,
  o: BucketOptions,
  secrets: string[],
): Promise<KvBucket> {
  checkBucketName(name);
  let kv: KV;
  try {
    kv = await new Kvm(js).create(name, kvOptions(o));
  } catch (e) {
    throw natsError(e, { op: `kv ${name} open`, jetstream: true, secrets });
  }
  return new NatsKvBucket(name, kv, secrets);
}

class NatsKvBucket implements KvBucket {
  constructor(
    readonly name: string,
    private readonly kv: KV,
    private readonly secrets: string[],
  ) {}

  private fail(op: string, key: string, e: unknown): ElmError {
    return natsError(e, { op: `kv ${this.name} ${op} ${key}`, jetstream: true, secrets: this.secrets });
  }

  async get(key: string): Promise<KvEntry | null> {
    try {
      const e = await this.kv.get(key);
      return e === null || e.operation !== 'PUT' ? null : toEntry(e);
    } catch (err) {
      throw this.fail('get', key, err);
    }
  }

  async put(key: string, value: Uint8Array): Promise<number> {
    try {
      return await this.kv.put(key, value);
    } catch (err) {
      throw this.fail('put', key, err);
    }
  }

  async create(key: string, value: Uint8Array): Promise<number> {
    try {
      return await this.kv.create(key, value);
    } catch (err) {
      throw this.fail('create', key, err);
    }
  }

  async update(key: string, value: Uint8Array, expectedRevision: number): Promise<number> {
    if (!Number.isInteger(expectedRevision) || expectedRevision <= 0)
      throw new ElmError(
        'ELM_ERR_INVALID_ARGUMENT',
        `kv ${this.name} update ${key}: revision must be a positive integer`,
      );
    try {
      return await this.kv.update(key, value, expectedRevision);
    } catch (err) {
      throw this.fail('update', key, err);
    }
  }

  async delete(key: string, opts: { expectedRevision?: number } = {}): Promise<void> {
    try {
      await this.kv.delete(
        key,
        opts.expectedRevision === undefined ? undefined : { previousSeq: opts.expectedRevision },
      );
    } catch (err) {
      throw this.fail('delete', key, err);
    }
  }

  async lastRevision(): Promise<number> {
    try {
      return (await this.kv.status()).streamInfo.state.last_seq;
    } catch (e) {
      throw this.fail('status', '', e);
    }
  }

  async keys(filter?: string): Promise<string[]> {
    try {
      const out: string[] = [];
      for await (const k of await this.kv.keys(filter)) out.push(k);
      return out;
    } catch (err) {
      throw this.fail('keys', filter ?? '>', err);
    }
  }

  async watch(onEntry: (e: KvEntry) => void, opts: KvWatchOptions = {}): Promise<KvWatch> {
    const updatesOnly = opts.include === 'updates';
    let it: Awaited<ReturnType<KV['watch']>>;
    try {
      it = await this.kv.watch({ key: opts.key, include: updatesOnly ? 'updates' : undefined });
    } catch (err) {
      throw this.fail('watch', opts.key ?? '>', err);
    }
    // The watcher counts the initial values (num_pending of its consumer) and flags every entry from the last of them
    // on as an update; with no initial values nothing is flagged, so read the count from the consumer info it holds.
    let markReady!: () => void;
    const ready = new Promise<void>((r) => (markReady = r));
    if (updatesOnly || (await initialCount(it)) === 0) markReady();
    const closed = (async () => {
      try {
        for await (const e of it) {
          if (e.isUpdate) markReady();
          onEntry(toEntry(e));
        }
      } catch {
        // the iterator ends with the connection; closed resolves either way
      }
      markReady();
    })();
    return { ready, closed, stop: () => it.stop() };
  }
}

/** Number of values the watcher replays first, from the consumer info @nats-io/kv 3.4 keeps on the iterator. */
async function initialCount(it: unknown): Promise<number | undefined> {
  const oc = (it as { _data?: { info?: (cached: boolean) => Promise<{ num_pending?: number }> } })._data;
  if (typeof oc?.info !== 'function') return undefined;
  try {
    return (await oc.info(true)).num_pending;
  } catch {
    return undefined;
  }
}
