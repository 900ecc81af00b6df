/**
 * The built browser files (dist/browser: the page, the bundle, the wasm, the worker), read once at start with
 * their ETags and compressed variants, served with revalidation (no-cache + ETag → 304).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { sha256Hex } from '../../../core/hash.js';
import type { Encoding } from './artifact-store.js';
import { contentTypeOf } from './http-cache.js';

export interface Asset {
  name: string;
  type: string;
  etag: string;
  body: Record<Encoding, Buffer | undefined>;
}

/** dist/browser of this package (this file is dist/src/adapters/node/edge/assets.js once built). */
export function defaultAssetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const rel of ['../../../../browser', '../../../../dist/browser']) {
    const p = resolve(here, rel);
    if (existsSync(join(p, 'index.html'))) return p;
  }
  return resolve(here, '../../../../browser');
}

const COMPRESSIBLE = /\.(js|mjs|html|json|map|css|wasm)$/;

function load(path: string, name: string): Asset {
  const raw = readFileSync(path);
  const body: Asset['body'] = { identity: raw, gzip: undefined, br: undefined };
  if (COMPRESSIBLE.test(name) && raw.length > 256) {
    const gz = gzipSync(raw, { level: 9 });
    if (gz.length < raw.length) body.gzip = gz;
    const br = brotliCompressSync(raw);
    if (br.length < raw.length) body.br = br;
  }
  return { name, type: contentTypeOf(name), etag: sha256Hex(raw).slice(0, 32), body };
}

/** index.html plus every file of edge/, by URL path ('/' and '/edge/<file>'). */
export function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  if (!existsSync(join(dir, 'index.html'))) return out;
  out.set('/', load(join(dir, 'index.html'), 'index.html'));
  const edge = join(dir, 'edge');
  if (existsSync(edge)) {
    for (const f of readdirSync(edge)) {
      if (statSync(join(edge, f)).isFile()) out.set(`/edge/${f}`, load(join(edge, f), f));
    }
  }
  return out;
}
