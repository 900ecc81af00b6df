/**
 * Models saved in the browser: artifacts in IndexedDB, keyed by content hash, with a name → hash index so a page
 * can keep "my model" across visits. Bytes are stored exactly as encoded, so a saved model is the same artifact
 * (same content hash) the server and the CLI accept.
 */
import { sha256Hex } from '../../core/hash.js';

const STORE = 'artifacts';

export interface SavedModel {
  contentHash: string;
  name: string;
  bytes: Uint8Array;
  savedAt: string;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** A small IndexedDB-backed artifact store (one object store, keyed by name; each record holds its hash). */
export class IdbModelStore {
  private db: Promise<IDBDatabase> | undefined;

  constructor(readonly dbName = 'elmscale') {}

  private open(): Promise<IDBDatabase> {
    return (this.db ??= new Promise((resolve, reject) => {
      const r = indexedDB.open(this.dbName, 1);
      r.onupgradeneeded = () => {
        const os = r.result.createObjectStore(STORE, { keyPath: 'name' });
        os.createIndex('contentHash', 'contentHash', { unique: false });
      };
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    }));
  }

  private async tx(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.open()).transaction(STORE, mode).objectStore(STORE);
  }

  /** Save (or replace) the artifact under a name; returns its content hash. */
  async save(name: string, bytes: Uint8Array): Promise<SavedModel> {
    const rec: SavedModel = { name, contentHash: sha256Hex(bytes), bytes, savedAt: new Date().toISOString() };
    const os = await this.tx('readwrite');
    await request(os.put(rec));
    return rec;
  }

  async load(name: string): Promise<SavedModel | undefined> {
    const rec = (await request((await this.tx('readonly')).get(name))) as SavedModel | undefined;
    return rec ? { ...rec, bytes: new Uint8Array(rec.bytes) } : undefined;
  }

  async byHash(contentHash: string): Promise<SavedModel | undefined> {
    const os = await this.tx('readonly');
    return (await request(os.index('contentHash').get(contentHash))) as SavedModel | undefined;
  }

  async list(): Promise<Omit<SavedModel, 'bytes'>[]> {
    const all = (await request((await this.tx('readonly')).getAll())) as SavedModel[];
    return all.map(({ bytes: _b, ...rest }) => rest);
  }

  async delete(name: string): Promise<void> {
    await request((await this.tx('readwrite')).delete(name));
  }

  close(): void {
    void this.db?.then((d) => d.close());
    this.db = undefined;
  }
}

/** Offer the bytes to the user as a file download (`<name>.elm`). */
export function downloadArtifact(bytes: Uint8Array, filename = 'model.elm'): void {
  const blob = new Blob([bytes as BlobPart], { type: 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
