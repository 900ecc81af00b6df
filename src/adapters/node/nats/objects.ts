import { Objm, StorageType, type ObjectInfo as NatsObjectInfo, type ObjectStore } from '@nats-io/obj';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { BucketOptions, ObjectBucket, ObjectInfo } from '../../../cluster/port.js';
import { natsError } from './errors.js';
import { checkBucketName } from './kv.js';

function toInfo(i: NatsObjectInfo): ObjectInfo {
  const out: ObjectInfo = {
    name: i.name,
    size: i.size,
    digest: i.digest,
    revision: i.revision,
    mtimeMs: Date.parse(i.mtime),
  };
  if (i.description) out.description = i.description;
  return out;
}

/** Open (or create) an object-store bucket (artifacts by content hash) behind the port's interface. */
export async function openObjects(
  js: JetStreamClient,
  name: string,
  o: Pick<BucketOptions, 'replicas' | 'storage' | 'maxAgeMs'>,
  secrets: string[],
): Promise<ObjectBucket> {
  checkBucketName(name);
  let os: ObjectStore;
  try {
    os = await new Objm(js).create(name, {
      replicas: o.replicas ?? 1,
      storage: o.storage === 'memory' ? StorageType.Memory : StorageType.File,
      ...(o.maxAgeMs ? { ttl: o.maxAgeMs * 1e6 } : {}),
    });
  } catch (e) {
    throw natsError(e, { op: `objects ${name} open`, jetstream: true, secrets });
  }
  const fail = (op: string, obj: string, e: unknown) =>
    natsError(e, { op: `objects ${name} ${op} ${obj}`, jetstream: true, secrets });
  return {
    name,
    async put(obj, data, meta) {
      try {
        return toInfo(await os.putBlob({ name: obj, description: meta?.description }, data));
      } catch (e) {
        throw fail('put', obj, e);
      }
    },
    async get(obj) {
      try {
        return await os.getBlob(obj);
      } catch (e) {
        throw fail('get', obj, e);
      }
    },
    async info(obj) {
      try {
        const i = await os.info(obj);
        return i === null || i.deleted ? null : toInfo(i);
      } catch (e) {
        throw fail('info', obj, e);
      }
    },
    async delete(obj) {
      try {
        const i = await os.info(obj);
        if (i === null || i.deleted) return false;
        await os.delete(obj);
        return true;
      } catch (e) {
        throw fail('delete', obj, e);
      }
    },
    async list() {
      try {
        return (await os.list()).filter((i) => !i.deleted).map(toInfo);
      } catch (e) {
        throw fail('list', '*', e);
      }
    },
  };
}
