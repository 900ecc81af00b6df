import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ElmError } from '../../../core/errors.js';
import { checkBearer } from './auth.js';
import type { ServerContext } from './options.js';

type Req = FastifyRequest<{ Params: { name: string } }>;

function jsonBody(req: FastifyRequest): Record<string, unknown> {
  const raw = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new ElmError('ELM_ERR_BAD_REQUEST', `the request body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ElmError('ELM_ERR_BAD_REQUEST', 'the request body must be a JSON object');
  }
  return v as Record<string, unknown>;
}

function params(body: Record<string, unknown>): Record<string, unknown> {
  const p = body.parameters ?? {};
  if (typeof p !== 'object' || p === null || Array.isArray(p)) {
    throw new ElmError('ELM_ERR_BAD_REQUEST', '"parameters" must be an object');
  }
  return p as Record<string, unknown>;
}

function optString(p: Record<string, unknown>, k: string): string | undefined {
  const v = p[k];
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  if (typeof v !== 'string') throw new ElmError('ELM_ERR_BAD_REQUEST', `parameter "${k}" must be a string`);
  return v;
}

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * model_repository extension (bearer-token protected when a token is configured):
 *   POST /v2/repository/index
 *   POST /v2/repository/models/{name}/load    JSON {parameters: {artifact: "<path in --models>" | "file:<f>": "<base64>",
 *                                             version?, default?}} or an application/octet-stream body (?version=)
 *   POST /v2/repository/models/{name}/unload  {parameters: {version?}}
 * Admin: POST /v2/admin/cache/clear.
 */
export function registerRepositoryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { service } = ctx;
  app.register(async (scope) => {
    scope.addHook('onRequest', async (req) => {
      checkBearer(ctx.options.token, req.headers.authorization);
    });

    scope.post('/v2/repository/index', async (req) => {
      const body = jsonBody(req);
      const onlyReady = body.ready === true;
      const rows = service.registry.entries().map((e) => ({
        name: e.name,
        version: e.version,
        state: e.state === 'ready' ? 'READY' : 'UNLOADING',
        reason: '',
      }));
      return onlyReady ? rows.filter((r) => r.state === 'READY') : rows;
    });

    scope.post('/v2/repository/models/:name/load', async (req: Req) => {
      const name = req.params.name;
      const ctype = String(req.headers['content-type'] ?? '');
      const query = (req.query ?? {}) as Record<string, string>;
      if (ctype.startsWith('application/octet-stream')) {
        const bytes = Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : new Uint8Array(0);
        if (bytes.length === 0) throw new ElmError('ELM_ERR_BAD_REQUEST', 'the artifact body is empty');
        const r = await ctx.loadArtifact(
          name,
          { bytes },
          { version: query.version, makeDefault: query.default === 'true' },
        );
        return { name, load: true, version: r.version, content_hash: r.contentHash };
      }
      const p = params(jsonBody(req));
      const version = optString(p, 'version');
      const makeDefault = p.default === true;
      const path = optString(p, 'artifact');
      const files = Object.keys(p).filter((k) => k.startsWith('file:'));
      if ((path === undefined) === (files.length === 0) || files.length > 1) {
        throw new ElmError(
          'ELM_ERR_BAD_REQUEST',
          'give exactly one of parameters.artifact or one "file:<name>" (base64)',
        );
      }
      let r;
      if (path !== undefined) r = await ctx.loadArtifact(name, { path }, { version, makeDefault });
      else {
        const b64 = p[files[0]!];
        if (typeof b64 !== 'string' || !BASE64_RE.test(b64)) {
          throw new ElmError('ELM_ERR_BAD_REQUEST', `${files[0]} must be base64 text`);
        }
        r = await ctx.loadArtifact(
          name,
          { bytes: new Uint8Array(Buffer.from(b64, 'base64')) },
          { version, makeDefault },
        );
      }
      return { name, load: true, version: r.version, content_hash: r.contentHash };
    });

    scope.post('/v2/repository/models/:name/unload', async (req: Req) => {
      const p = params(jsonBody(req));
      const version = optString(p, 'version');
      await service.unload(req.params.name, version);
      return { name: req.params.name, unload: true };
    });

    scope.post('/v2/admin/cache/clear', async () => {
      return { cleared: service.clearCaches() };
    });
  });
}
