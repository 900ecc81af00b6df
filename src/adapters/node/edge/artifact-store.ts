/**
 * Content-addressed artifact bytes for the edge routes: sha256 → the exact bytes that hash to it, with their gzip
 * and brotli encodings made once and kept (an artifact never changes, so neither do they). Big sources are kept
 * as a file path and read on demand; bytes given at load time are kept as given.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { sha256Hex } from '../../../core/hash.js';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export type Encoding = 'identity' | 'gzip' | 'br';

type Source = { bytes: Uint8Array } | { path: string };

export interface Representation {
  encoding: Encoding;
  body: Uint8Array;
}

/** Files above this size are not kept in memory; they are read (and compressed) per request-miss. */
const KEEP_IN_MEMORY = 8 << 20;

export class ArtifactStore {
  private readonly sources = new Map<string, Source>();
  private readonly encoded = new Map<string, Promise<Representation>>();

  /** Add bytes; returns their content hash. */
  addBytes(bytes: Uint8Array, hash = sha256Hex(bytes)): string {
    if (!this.sources.has(hash)) this.sources.set(hash, { bytes });
    return hash;
  }

  /** Add a file by path (read now to learn its hash; kept in memory only when small). */
  async addFile(path: string): Promise<string> {
    const b = await readFile(path);
    const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    const hash = sha256Hex(bytes);
    if (!this.sources.has(hash)) this.sources.set(hash, bytes.length <= KEEP_IN_MEMORY ? { bytes } : { path });
    return hash;
  }

  /**
   * Forget artifacts no loaded model uses, keeping the `keep` most recently added of them (so clients that
   * followed a redirect just before an update still get their bytes).
   */
  prune(live: ReadonlySet<string>, keep = 16): void {
    const dead = [...this.sources.keys()].filter((h) => !live.has(h));
    for (const h of dead.slice(0, Math.max(0, dead.length - keep))) {
      this.sources.delete(h);
      for (const e of ['gzip', 'br']) this.encoded.delete(`${h}:${e}`);
    }
  }

  has(hash: string): boolean {
    return this.sources.has(hash);
  }

  hashes(): string[] {
    return [...this.sources.keys()];
  }

  async bytes(hash: string): Promise<Uint8Array | undefined> {
    const s = this.sources.get(hash);
    if (!s) return undefined;
    if ('bytes' in s) return s.bytes;
    const b = await readFile(s.path);
    const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    if (sha256Hex(bytes) !== hash) return undefined; // the file changed under us: no longer this artifact
    return bytes;
  }

  /** The artifact in the given encoding (falls back to identity when compression does not make it smaller). */
  async representation(hash: string, encoding: Encoding): Promise<Representation | undefined> {
    const raw = await this.bytes(hash);
    if (!raw) return undefined;
    if (encoding === 'identity') return { encoding, body: raw };
    const key = `${hash}:${encoding}`;
    let p = this.encoded.get(key);
    if (!p) {
      p = (async (): Promise<Representation> => {
        const z =
          encoding === 'br'
            ? await brotliAsync(raw, {
                params: {
                  [constants.BROTLI_PARAM_QUALITY]: raw.length > 4 << 20 ? 5 : 9,
                  [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
                },
              })
            : await gzipAsync(raw, { level: 9 });
        const body = new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
        return body.length < raw.length ? { encoding, body } : { encoding: 'identity', body: raw };
      })();
      if ('bytes' in this.sources.get(hash)!) this.encoded.set(key, p);
    }
    return p;
  }
}

/** The best encoding the client accepts (br, then gzip, then identity), honouring q=0. */
export function negotiateEncoding(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding) return 'identity';
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q.set(name, qp ? Number(qp.slice(2)) || 0 : 1);
  }
  const accepts = (e: string): boolean => (q.get(e) ?? q.get('*') ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip')) return 'gzip';
  return 'identity';
}
