import type { IncomingHttpHeaders } from 'node:http';
import { ElmError, toErrorData } from '../../../core/errors.js';
import { outcomeFor } from '../../../serving/metrics.js';
import { parseInferJson } from '../../../serving/protocol/fast-json.js';
import { parseInferRequest } from '../../../serving/protocol/request.js';
import { shapeResponse } from '../../../serving/protocol/response.js';
import type { ModelEntry } from '../../../serving/registry.js';
import type { ReplyLookup } from '../../../serving/service.js';
import type { ServerContext } from './options.js';
import { errorAnswer, type HttpAnswer } from './reply.js';

const JSON_TYPE = 'application/json';

/** One POST …/infer as it arrived: path parameters (already URL-decoded), headers and the whole body. */
export interface InferHttpRequest {
  name: string;
  version?: string | undefined;
  headers: IncomingHttpHeaders;
  body: Buffer | undefined;
}

export type InferHandler = (r: InferHttpRequest) => Promise<HttpAnswer>;

function decodeBody(r: InferHttpRequest): { json: unknown; binary?: Uint8Array } {
  const buf = r.body ?? Buffer.alloc(0);
  if (buf.length === 0) throw new ElmError('ELM_ERR_BAD_REQUEST', 'the request body is empty');
  const h = r.headers['inference-header-content-length'];
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

/** The answer of an inference reply (the same for a fresh and a cached one, so both are byte-identical). */
function inferAnswer(payload: string | Uint8Array, contentType: string, headerLength?: string): HttpAnswer {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (headerLength !== undefined) headers['inference-header-content-length'] = headerLength;
  return { status: 200, headers, payload };
}

/**
 * POST /v2/models/{name}[/versions/{version}]/infer as a function from the request to its answer, shared by the
 * fastify route and the node:http fast path (fast-path.ts): in-flight limit, reply cache, parse, batching, shaping,
 * statistics and metrics. Never throws: errors become OIP error answers.
 */
export function createInferHandler(ctx: ServerContext): InferHandler {
  const { service, metrics, options } = ctx;
  const success = (entry: ModelEntry, t0: number): void => {
    const totalS = (performance.now() - t0) / 1000;
    service.record(entry, true, totalS * 1e6);
    metrics.requestFinished(entry.name, 'success', totalS);
  };

  return async (req) => {
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
      entry = service.resolve(req.name, req.version);
      // Reply cache: identical request bytes (and framing headers) on the same model version get the identical
      // serialised reply, without parsing, batching or serialising again.
      let replyAt: ReplyLookup | undefined;
      let extra = '';
      const raw = req.body;
      if (service.replyCache && raw !== undefined && raw.length > 0) {
        const h = req.headers['inference-header-content-length'];
        extra = `${req.headers['content-type'] ?? ''}\u0000${h === undefined ? '' : String(h)}`;
        const r = service.replyLookup(entry, raw, extra);
        if (r?.hit) {
          success(entry, t0);
          return inferAnswer(r.hit.payload, r.hit.contentType, r.hit.headerLength);
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
      if (replyAt !== undefined && raw !== undefined) {
        service.replyStore(entry, replyAt, {
          request: new Uint8Array(raw),
          extra,
          payload,
          contentType,
          ...(headerLength !== undefined ? { headerLength } : {}),
        });
      }
      return inferAnswer(payload, contentType, headerLength);
    } catch (e) {
      const totalS = (performance.now() - t0) / 1000;
      if (entry) service.record(entry, false, totalS * 1e6);
      const label = entry ? entry.name : service.registry.has(req.name) ? req.name : '_unknown';
      metrics.requestFinished(label, outcomeFor(toErrorData(e).code), totalS);
      return errorAnswer(e, options.retryAfterS);
    } finally {
      metrics.inflightRequests--;
    }
  };
}
