/**
 * Edge deployment routes, as a server plugin (`startServer({ plugins: [edgePlugin()] })`):
 *
 *   GET /artifacts/{sha256}[.elm]                    the artifact, CDN-style: strong ETag, immutable for a year,
 *                                                    gzip/br when accepted, 304 on If-None-Match
 *   GET /v2/models/{name}[/versions/{v}]/artifact    302 → /artifacts/{sha256} (revalidated each time, so a model
 *                                                    update is a new URL and no cache serves a stale model)
 *   GET /                                            the demo page; /edge/* its bundle, worker, wasm and data;
 *   GET /edge/config.json                            which model the page mirrors (?model=name)
 *
 * The page and its assets are sent with COOP/COEP (cross-origin isolation: SharedArrayBuffer for wasm threads and
 * 5 µs timers for the in-page latency measurement) and revalidated by ETag.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ElmError } from '../../../core/errors.js';
import { ModelCodecs } from '../../../models/artifact/codecs.js';
import type { Model } from '../../../models/model.js';
import type { ModelEntry } from '../../../serving/registry.js';
import { registerStrategyCodecs } from '../../../strategies/codecs.js';
import { sendError } from '../http/reply.js';
import type { ServerContext, ServerPlugin } from '../http/options.js';
import { resolveInside, scanModelsDir } from '../serving/model-store.js';
import { ArtifactStore, negotiateEncoding } from './artifact-store.js';
import { defaultAssetsDir, loadAssets, type Asset } from './assets.js';
import { IMMUTABLE, ISOLATION_HEADERS, REVALIDATE, notModified } from './http-cache.js';

export interface EdgeOptions {
  /** Built browser files (default: the package's dist/browser, made by `npm run build`). */
  assetsDir?: string;
  /** Model the demo page mirrors when the URL names none (default: the first 64-input classifier, else the first). */
  demoModel?: string;
  /** Serve the demo page at / (default true). */
  page?: boolean;
  /** Send COOP/COEP with the page and its assets (default true). */
  crossOriginIsolation?: boolean;
  /** A store to share (tests, or a process that also writes static exports). */
  store?: ArtifactStore;
}

const ARTIFACT_PATH = /^([0-9a-f]{64})(?:\.elm)?$/;

export interface EdgeHandle {
  store: ArtifactStore;
  /** Content hash served for a model version (encoding the in-process model once when no bytes are known). */
  hashFor(entry: ModelEntry): string;
}

/** The edge routes as a ServerPlugin. `onReady` receives the store and hash lookup (for tests and embedding). */
export function edgePlugin(opts: EdgeOptions = {}, onReady?: (h: EdgeHandle) => void): ServerPlugin {
  return async (app, ctx) => {
    const handle = await registerEdgeRoutes(app, ctx, opts);
    onReady?.(handle);
  };
}

/** Index the artifacts the server started with; returns the hash of each in-process model given with its bytes. */
async function indexStartupArtifacts(
  ctx: ServerContext,
  store: ArtifactStore,
  live: () => Set<string>,
): Promise<Map<Model, string>> {
  const o = ctx.options;
  const byModel = new Map<Model, string>();
  for (const m of o.models ?? []) if (m.bytes) byModel.set(m.model, store.addBytes(m.bytes));
  for (const f of o.modelFiles ?? []) await store.addFile(f.path).catch(() => undefined);
  if (o.modelsDir) for (const f of await scanModelsDir(o.modelsDir)) await store.addFile(f.path).catch(() => undefined);
  // Loads through the repository API from now on: keep the exact bytes each one was loaded from.
  const load = ctx.loadArtifact.bind(ctx);
  ctx.loadArtifact = async (name, src, lo) => {
    const r = await load(name, src, lo);
    if ('bytes' in src) store.addBytes(src.bytes, r.contentHash);
    else await store.addFile(await resolveInside(o.modelsDir, src.path));
    store.prune(live());
    return r;
  };
  return byModel;
}

export async function registerEdgeRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  opts: EdgeOptions = {},
): Promise<EdgeHandle> {
  const store = opts.store ?? new ArtifactStore();
  const codecs = ctx.options.codecs ?? registerStrategyCodecs(new ModelCodecs());
  const encodedByKey = new Map<string, string>();
  // Hashes the loaded model versions are served under (kept by prune()).
  const live = (): Set<string> =>
    new Set(
      ctx.service.registry
        .entries()
        .map((e) =>
          e.contentHash && store.has(e.contentHash) ? e.contentHash : (byModel.get(e.model) ?? encodedByKey.get(e.key)),
        )
        .filter((h): h is string => !!h),
    );
  const byModel = await indexStartupArtifacts(ctx, store, live);

  const hashFor = (entry: ModelEntry): string => {
    if (entry.contentHash && store.has(entry.contentHash)) return entry.contentHash;
    let h = byModel.get(entry.model) ?? encodedByKey.get(entry.key);
    if (!h) {
      // A model built in this process (no artifact bytes): encode it once, deterministically per load.
      const bytes = codecs.encode(entry.model, { createdAt: new Date(entry.loadedAtMs).toISOString() });
      h = store.addBytes(bytes);
      encodedByKey.set(entry.key, h);
    }
    return h;
  };

  app.get('/artifacts/:file', (req: FastifyRequest<{ Params: { file: string } }>, reply) =>
    sendArtifact(store, req, reply),
  );

  const redirect = async (
    req: FastifyRequest<{ Params: { name: string; version?: string } }>,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    try {
      const entry = ctx.service.registry.get(req.params.name, req.params.version);
      const hash = hashFor(entry);
      return reply
        .code(302)
        .headers({
          location: `/artifacts/${hash}`,
          'cache-control': REVALIDATE,
          'access-control-allow-origin': '*',
          'x-content-hash': hash,
        })
        .send();
    } catch (e) {
      return sendError(reply, e);
    }
  };
  app.get('/v2/models/:name/artifact', redirect);
  app.get('/v2/models/:name/versions/:version/artifact', redirect);

  if (opts.page !== false) registerPage(app, ctx, opts);
  return { store, hashFor };
}

/** `GET /artifacts/{sha256}[.elm]`: immutable, content-negotiated (br, gzip), ETag/304, usable cross-origin. */
async function sendArtifact(
  store: ArtifactStore,
  req: FastifyRequest<{ Params: { file: string } }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const m = ARTIFACT_PATH.exec(req.params.file);
  if (!m || !store.has(m[1]!)) {
    return sendError(reply, new ElmError('ELM_ERR_MODEL_NOT_FOUND', `no artifact ${req.params.file}`));
  }
  const hash = m[1]!;
  reply.headers({
    'cache-control': IMMUTABLE,
    vary: 'Accept-Encoding',
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'ETag, Content-Length',
    'cross-origin-resource-policy': 'cross-origin',
    'x-content-type-options': 'nosniff',
  });
  const tags = [hash, `${hash}-gzip`, `${hash}-br`];
  if (notModified(req.headers['if-none-match'], tags)) return reply.code(304).header('etag', `"${hash}"`).send();
  const rep = await store.representation(hash, negotiateEncoding(req.headers['accept-encoding']));
  if (!rep) return sendError(reply, new ElmError('ELM_ERR_MODEL_NOT_FOUND', `artifact ${hash} is gone`));
  reply.header('etag', rep.encoding === 'identity' ? `"${hash}"` : `"${hash}-${rep.encoding}"`);
  if (rep.encoding !== 'identity') reply.header('content-encoding', rep.encoding);
  reply.header('content-disposition', `inline; filename="${hash}.elm"`);
  return reply
    .type('application/octet-stream')
    .send(Buffer.from(rep.body.buffer, rep.body.byteOffset, rep.body.byteLength));
}

function pickDemoModel(ctx: ServerContext, preferred?: string): string | null {
  const reg = ctx.service.registry;
  if (preferred && reg.has(preferred)) return preferred;
  const entries = reg.entries();
  const digits = entries.find((e) => e.model.inputDim === 64 && e.model.task === 'classification');
  return (digits ?? entries[0])?.name ?? null;
}

function registerPage(app: FastifyInstance, ctx: ServerContext, opts: EdgeOptions): void {
  const assets = loadAssets(opts.assetsDir ?? defaultAssetsDir());
  const isolate = opts.crossOriginIsolation !== false;

  const sendAsset = (req: FastifyRequest, reply: FastifyReply, a: Asset | undefined): FastifyReply => {
    if (!a) {
      const msg = assets.size === 0 ? 'the browser build is missing: run npm run build' : `no asset ${req.url}`;
      return sendError(
        reply,
        new ElmError(assets.size === 0 ? 'ELM_ERR_MODEL_NOT_READY' : 'ELM_ERR_MODEL_NOT_FOUND', msg),
      );
    }
    if (isolate) reply.headers(ISOLATION_HEADERS);
    reply.headers({
      'cache-control': REVALIDATE,
      etag: `"${a.etag}"`,
      vary: 'Accept-Encoding',
      'cross-origin-resource-policy': 'same-origin',
      'x-content-type-options': 'nosniff',
    });
    if (notModified(req.headers['if-none-match'], [a.etag])) return reply.code(304).send();
    const enc = negotiateEncoding(req.headers['accept-encoding']);
    const body = (enc !== 'identity' && a.body[enc]) || a.body.identity!;
    if (body !== a.body.identity) reply.header('content-encoding', enc);
    return reply.type(a.type).send(body);
  };

  app.get('/', async (req, reply) => sendAsset(req, reply, assets.get('/')));
  app.get('/index.html', async (req, reply) => sendAsset(req, reply, assets.get('/')));
  app.get('/edge/config.json', async (req: FastifyRequest<{ Querystring: { model?: string } }>, reply) => {
    const model = pickDemoModel(ctx, req.query.model ?? opts.demoModel);
    if (isolate) reply.headers(ISOLATION_HEADERS);
    reply.header('cache-control', 'no-store');
    return {
      model,
      artifact: model ? `v2/models/${encodeURIComponent(model)}/artifact` : null,
      digits: 'edge/digits.csv.gz',
    };
  });
  app.get('/edge/:file', async (req: FastifyRequest<{ Params: { file: string } }>, reply) =>
    sendAsset(req, reply, assets.get(`/edge/${req.params.file}`)),
  );
}
