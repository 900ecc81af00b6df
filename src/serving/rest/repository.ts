import { ElmError } from '../../core/errors.js';
import { jsonAnswer } from '../answer.js';
import type { ServingContext } from './context.js';
import type { Route, RouteRequest } from './route.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

function jsonBody(r: RouteRequest): Record<string, unknown> {
  const raw = r.body;
  if (raw === undefined || raw.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(utf8.decode(raw));
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

function base64Bytes(label: string, b64: unknown): Uint8Array {
  if (typeof b64 !== 'string' || !BASE64_RE.test(b64)) {
    throw new ElmError('ELM_ERR_BAD_REQUEST', `${label} must be base64 text`);
  }
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * model_repository extension and admin (the `admin` scope):
 *   POST /v2/repository/index
 *   POST /v2/repository/models/{name}/load    JSON {parameters: {artifact: "<path in --models>" | "file:<f>": "<base64>",
 *                                             version?, default?}} or an application/octet-stream body (?version=)
 *   POST /v2/repository/models/{name}/unload  {parameters: {version?}}
 *   POST /v2/admin/cache/clear
 */
export function repositoryRoutes(ctx: ServingContext): Route[] {
  const { service } = ctx;
  const loaded = (name: string, r: { version: string; contentHash: string }) =>
    jsonAnswer({ name, load: true, version: r.version, content_hash: r.contentHash });

  const load = async (req: RouteRequest) => {
    const name = req.params.name!;
    if ((req.header('content-type') ?? '').startsWith('application/octet-stream')) {
      const bytes = req.body ?? new Uint8Array(0);
      if (bytes.length === 0) throw new ElmError('ELM_ERR_BAD_REQUEST', 'the artifact body is empty');
      const opts = { version: req.query.version, makeDefault: req.query.default === 'true' };
      return loaded(name, await ctx.loadArtifact(name, { bytes: bytes.slice() }, opts));
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
    const src = path !== undefined ? { path } : { bytes: base64Bytes(files[0]!, p[files[0]!]) };
    return loaded(name, await ctx.loadArtifact(name, src, { version, makeDefault }));
  };

  return [
    {
      method: 'POST',
      path: '/v2/repository/index',
      scope: 'admin',
      handle: (req) => {
        const onlyReady = jsonBody(req).ready === true;
        const rows = service.registry.entries().map((e) => ({
          name: e.name,
          version: e.version,
          state: e.state === 'ready' ? 'READY' : 'UNLOADING',
          reason: '',
        }));
        return jsonAnswer(onlyReady ? rows.filter((r) => r.state === 'READY') : rows);
      },
    },
    { method: 'POST', path: '/v2/repository/models/:name/load', scope: 'admin', handle: load },
    {
      method: 'POST',
      path: '/v2/repository/models/:name/unload',
      scope: 'admin',
      handle: async (req) => {
        const version = optString(params(jsonBody(req)), 'version');
        await service.unload(req.params.name!, version);
        return jsonAnswer({ name: req.params.name, unload: true });
      },
    },
    {
      method: 'POST',
      path: '/v2/admin/cache/clear',
      scope: 'admin',
      handle: () => jsonAnswer({ cleared: service.clearCaches() }),
    },
  ];
}
