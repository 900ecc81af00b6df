/**
 * `elmscale export`: a static folder any static host or CDN serves as is —
 *   index.html, edge/{elmscale.js, elmscale.wasm, demo.js, train-worker.js, digits.csv.gz, config.json},
 *   artifacts/<sha256>.elm (immutable: the name is the content hash), and _headers (the cache and isolation
 *   headers in the format Netlify and Cloudflare Pages read; other hosts: see docs/edge.md).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElmError } from '../../../core/errors.js';
import { sha256Hex } from '../../../core/hash.js';
import { ModelCodecs } from '../../../models/artifact/codecs.js';
import { createJsBackend } from '../../../numeric/js/index.js';
import { registerStrategyCodecs } from '../../../strategies/codecs.js';
import { defaultAssetsDir } from './assets.js';
import { IMMUTABLE } from './http-cache.js';

export interface ExportOptions {
  /** The artifact to ship. */
  bytes: Uint8Array;
  outDir: string;
  assetsDir?: string;
  /** Also copy the source maps (default false). */
  sourceMaps?: boolean;
  /** Default: every kind elmscale writes (strategies included). */
  codecs?: ModelCodecs;
}

export interface ExportResult {
  outDir: string;
  contentHash: string;
  artifact: string;
  files: string[];
}

const HEADERS = `/*
  Cross-Origin-Opener-Policy: same-origin
  Cross-Origin-Embedder-Policy: require-corp
  X-Content-Type-Options: nosniff
/artifacts/*
  Cache-Control: ${IMMUTABLE}
  Access-Control-Allow-Origin: *
  Cross-Origin-Resource-Policy: cross-origin
/edge/*
  Cache-Control: no-cache
/index.html
  Cache-Control: no-cache
`;

export function exportStatic(o: ExportOptions): ExportResult {
  const assets = o.assetsDir ?? defaultAssetsDir();
  if (!existsSync(join(assets, 'index.html')) || !existsSync(join(assets, 'edge', 'elmscale.js'))) {
    throw new ElmError('ELM_ERR_DATA_NOT_FOUND', `no browser build in ${assets}: run npm run build`);
  }
  // Refuse an artifact the page could not load (decoding checks magic, CRC and shapes).
  const loaded = (o.codecs ?? registerStrategyCodecs(new ModelCodecs())).decode(o.bytes, {
    backend: createJsBackend(),
  });
  loaded.model.dispose();
  const hash = sha256Hex(o.bytes);
  const files: string[] = [];
  const put = (rel: string, write: (p: string) => void): void => {
    const p = join(o.outDir, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    write(p);
    files.push(rel);
  };
  put('index.html', (p) => copyFileSync(join(assets, 'index.html'), p));
  for (const f of readdirSync(join(assets, 'edge')).sort()) {
    if (f.endsWith('.map') && !o.sourceMaps) continue;
    put(`edge/${f}`, (p) => copyFileSync(join(assets, 'edge', f), p));
  }
  const artifact = `artifacts/${hash}.elm`;
  put(artifact, (p) => writeFileSync(p, o.bytes));
  const config = { model: null, artifact, digits: 'edge/digits.csv.gz' };
  put('edge/config.json', (p) => writeFileSync(p, JSON.stringify(config, null, 2) + '\n'));
  put('_headers', (p) => writeFileSync(p, HEADERS));
  return { outDir: o.outDir, contentHash: hash, artifact, files };
}
