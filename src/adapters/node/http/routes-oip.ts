import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ElmError, toErrorData } from '../../../core/errors.js';
import { outcomeFor } from '../../../serving/metrics.js';
import { modelMetadata } from '../../../serving/protocol/model-io.js';
import { parseInferJson } from '../../../serving/protocol/fast-json.js';
import { parseInferRequest } from '../../../serving/protocol/request.js';
import { shapeResponse } from '../../../serving/protocol/response.js';
import { EXTENSIONS } from '../../../serving/protocol/types.js';
import type { ModelEntry } from '../../../serving/registry.js';
import type { ReplyLookup } from '../../../serving/service.js';
import { sendError } from './reply.js';
import type { ServerContext } from './options.js';

type Params = { name: string; version?: string };
type Req = FastifyRequest<{ Params: Params }>;

const JSON_TYPE = 'application/json';

/** Both forms of a model path: /v2/models/{name}[/versions/{version}]{suffix}. */
function modelPaths(suffix: string): string[] {
  return [`/v2/models/:name${suffix}`, `/v2/models/:name/versions/:version${suffix}`];
}

function decodeBody(req: FastifyRequest): { json: unknown; binary?: Uint8Array } {
  const raw = req.body;
  const buf = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
  if (buf.length === 0) throw new ElmError('ELM_ERR_BAD_REQUEST', 'the request body is empty');
  const h = req.headers['inference-header-content-length'];
  let jsonLen = buf.length;
  if (h !== undefined) {
    const n = Number(Array.isArray(h) ? h[0] : h);
    if (!Number.isInteger(n) || n <= 0 || n > buf.length) {
      throw new ElmError('ELM_ERR_BAD_REQUEST', `Inference-Header-Content-Length ${String(h)} is invalid`);
    }
    jsonLen = n;
  }
  let json: unknown;
  try {
    json = parseInferJson(buf, 0, jsonLen);
  } catch (e) {
    throw new ElmError('ELM_ERR_BAD_REQUEST', `the request body is not valid JSON: ${(e as Error).message}`);
  }
  if (jsonLen === buf.length) return { json };
  return { json, binary: new Uint8Array(buf.buffer, buf.byteOffset + jsonLen, buf.length - jsonLen) };
}

/** Send an inference reply (the same calls for a fresh and a cached one, so both are byte-identical). */
function send(
  reply: FastifyReply,
  payload: string | Uint8Array,
  contentType: string,
  headerLength?: string,
): FastifyReply {
  if (headerLength !== undefined) reply.header('inference-header-content-length', headerLength);
  return reply.type(contentType).send(payload);
}

/** OIP v2 core endpoints plus statistics and the classification / binary data extensions. */
export function registerOipRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { service, metrics, options } = ctx;

  app.get('/v2/health/live', (_req, reply) => {
    reply.type(JSON_TYPE).send('{"live":true}');
  });
  app.get('/v2/health/ready', (_req, reply) => {
    const ready = service.ready();
    reply
      .code(ready ? 200 : 503)
      .type(JSON_TYPE)
      .send(ready ? '{"ready":true}' : '{"ready":false}');
  });
  app.get('/v2', (_req, reply) => {
    reply.send({ name: options.name, version: '0.1.0', extensions: [...EXTENSIONS] });
  });
  app.get('/v2/models', (_req, reply) => {
    reply.send({ models: service.registry.names() });
  });

  for (const path of modelPaths('')) {
    app.get(path, (req: Req, reply) => {
      const e = service.resolve(req.params.name, req.params.version);
      reply.send(modelMetadata(e.name, service.registry.versions(e.name), e.model, e.io));
    });
  }
  for (const path of modelPaths('/ready')) {
    app.get(path, (req: Req, reply) => {
      const e = service.resolve(req.params.name, req.params.version);
      const ready = e.state === 'ready';
      reply.code(ready ? 200 : 503).send({ name: e.name, ready });
    });
  }

  const statsHandler = (req: FastifyRequest<{ Params: Partial<Params> }>, reply: FastifyReply): void => {
    const { name, version } = req.params;
    let entries: ModelEntry[];
    if (name === undefined) entries = service.registry.entries();
    else if (version === undefined) {
      service.resolve(name);
      entries = service.registry.versions(name).map((v) => service.resolve(name, v));
    } else entries = [service.resolve(name, version)];
    reply.send({ model_stats: entries.map((e) => e.stats.toJSON(e.name, e.version)) });
  };
  app.get('/v2/models/stats', statsHandler);
  for (const path of modelPaths('/stats')) app.get(path, statsHandler);

  const success = (entry: ModelEntry, t0: number): void => {
    const totalS = (performance.now() - t0) / 1000;
    service.record(entry, true, totalS * 1e6);
    metrics.requestFinished(entry.name, 'success', totalS);
  };

  const infer = async (req: Req, reply: FastifyReply): Promise<FastifyReply> => {
    const t0 = performance.now();
    let entry: ModelEntry | undefined;
    // One in-flight count, shared with the elmscale_inflight_requests gauge (read at scrape time).
    metrics.inflightRequests++;
    try {
      if (metrics.inflightRequests > options.maxInflight) {
        throw new ElmError('ELM_ERR_OVERLOADED', `too many requests in flight (${options.maxInflight})`, {
          retryAfterS: options.retryAfterS,
        });
      }
      entry = service.resolve(req.params.name, req.params.version);
      // Reply cache: identical request bytes (and framing headers) on the same model version get the identical
      // serialised reply, without parsing, batching or serialising again.
      let replyAt: ReplyLookup | undefined;
      let extra = '';
      const raw = req.body;
      if (service.replyCache && Buffer.isBuffer(raw) && raw.length > 0) {
        const h = req.headers['inference-header-content-length'];
        extra = `${req.headers['content-type'] ?? ''}\u0000${h === undefined ? '' : String(h)}`;
        const r = service.replyLookup(entry, raw, extra);
        if (r?.hit) {
          success(entry, t0);
          return send(reply, r.hit.payload, r.hit.contentType, r.hit.headerLength);
        }
        replyAt = r;
      }
      const { json, binary } = decodeBody(req);
      const parsed = parseInferRequest(json, entry.io, binary, {
        nonFinite: options.nonFinite,
        maxRows: options.maxRowsPerRequest,
      });
      const r = await service.infer(entry, parsed.x, parsed.rows, parsed.timeoutUs);
      const shaped = shapeResponse(entry.name, entry.version, parsed, r.out, entry.io);
      success(entry, t0);
      const jsonText = JSON.stringify(shaped.body);
      let payload: string | Buffer = jsonText;
      let contentType = JSON_TYPE;
      let headerLength: string | undefined;
      if (shaped.binary.length > 0) {
        const head = Buffer.from(jsonText, 'utf8');
        headerLength = String(head.length);
        contentType = 'application/octet-stream';
        payload = Buffer.concat([head, ...shaped.binary]);
      }
      if (replyAt !== undefined) {
        service.replyStore(entry, replyAt, {
          request: new Uint8Array(raw as Buffer),
          extra,
          payload,
          contentType,
          ...(headerLength !== undefined ? { headerLength } : {}),
        });
      }
      return send(reply, payload, contentType, headerLength);
    } catch (e) {
      const totalS = (performance.now() - t0) / 1000;
      if (entry) service.record(entry, false, totalS * 1e6);
      const name = req.params.name;
      const label = entry ? entry.name : service.registry.has(name) ? name : '_unknown';
      metrics.requestFinished(label, outcomeFor(toErrorData(e).code), totalS);
      return sendError(reply, e, options.retryAfterS);
    } finally {
      metrics.inflightRequests--;
    }
  };
  for (const path of modelPaths('/infer')) app.post(path, infer);
}
