/** Shared fixtures of the edge tests: a digits server with the edge routes, and a headless Debian Chromium. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { loadDataSpec } from '../../src/adapters/node/data-files.js';
import { edgePlugin, type EdgeHandle } from '../../src/adapters/node/edge/index.js';
import { startServer, type RunningServer } from '../../src/adapters/node/http/index.js';
import { createNodeWasmBackend } from '../../src/adapters/node/wasm-backend.js';
import type { ClassificationDataset } from '../../src/data/dataset.js';
import { ModelCodecs } from '../../src/models/artifact/codecs.js';
import { ELM } from '../../src/models/elm.js';
import type { Backend } from '../../src/numeric/backend.js';

import { CHROMIUM, CHROMIUM_ARGS, haveChromium } from '../helpers/chromium.js';
export { CHROMIUM, CHROMIUM_ARGS, haveChromium };

export interface EdgeFixture {
  server: RunningServer;
  edge: EdgeHandle;
  backend: Backend;
  model: ELM;
  bytes: Uint8Array;
  test: ClassificationDataset;
  /** Every response the server sent: [method, url, status]. */
  log: [string, string, number][];
}

/** The demo model (digits, L = 1024, seed 42) served with the edge routes on a free loopback port. */
export async function startEdgeServer(): Promise<EdgeFixture> {
  const backend = createNodeWasmBackend({ threads: 1 });
  const train = (await loadDataSpec('digits:train')) as ClassificationDataset;
  const test = (await loadDataSpec('digits:test')) as ClassificationDataset;
  const model = ELM.fit(train, { hidden: 1024, seed: 42 }, { backend });
  const codecs = new ModelCodecs();
  const bytes = codecs.encode(model, { createdAt: '2025-01-01T00:00:00.000Z' });
  const log: EdgeFixture['log'] = [];
  let edge: EdgeHandle | undefined;
  const server = await startServer({
    port: 0,
    workers: 0,
    backend,
    codecs,
    cache: false,
    models: [{ name: 'digits', model, bytes }],
    plugins: [
      (app) => {
        app.addHook('onResponse', async (req, reply) => {
          log.push([req.method, req.url, reply.statusCode]);
        });
      },
      edgePlugin({}, (h) => (edge = h)),
    ],
  });
  return { server, edge: edge!, backend, model, bytes, test, log };
}

/** Chromium with a fresh profile (its own disk cache and IndexedDB), removed on close. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'elmscale-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function row(ds: ClassificationDataset, i: number): number[] {
  return Array.from(ds.x.subarray(i * ds.cols, (i + 1) * ds.cols));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** A plain static file server (content types only, no caching or isolation headers), like any static host. */
export async function serveStatic(dir: string): Promise<{ url: string; close(): void }> {
  const srv = createServer((req, reply) => {
    let rel = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname)).replace(/^\/+/, '');
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    if (rel.startsWith('..')) return reply.writeHead(403).end();
    try {
      const body = readFileSync(join(dir, rel));
      reply.writeHead(200, { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream' }).end(body);
    } catch {
      reply.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(srv.address() as { port: number }).port}`, close: () => srv.close() };
}
