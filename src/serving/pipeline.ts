import { concatBytes } from '../core/bytes.js';
import { ElmError, toErrorData } from '../core/errors.js';
import type { AdmissionLimiter } from './admission.js';
import { BINARY_TYPE, errorAnswer, JSON_TYPE, type Answer } from './answer.js';
import { NOOP_METRICS, outcomeFor, type ServingMetrics } from './metrics.js';
import { parseInferJson } from './protocol/fast-json.js';
import { parseInferRequest, type NonFinitePolicy } from './protocol/request.js';
import { shapeResponse } from './protocol/response.js';
import type { ModelEntry } from './registry.js';
import type { InferenceService, ReplyLookup } from './service.js';

/**
 * One inference call as any transport delivers it: the model (and optional version), the body bytes with their
 * framing, and the caller's own time budget. HTTP takes these from the path and headers; NATS from the subject and
 * message headers.
 */
export interface InferCall {
  model: string;
  version?: string | undefined;
  /** The whole body: OIP JSON, or a JSON head followed by binary tensors (binary_tensor_data). */
  body: Uint8Array | undefined;
  /** Content type of the body; part of what a reply is cached under. */
  contentType?: string | undefined;
  /** Length of the JSON head of a binary body (HTTP's Inference-Header-Content-Length). */
  headerLength?: string | undefined;
  /** The transport's deadline, µs from now; the tighter of this and the request's own `timeout` applies. */
  timeoutUs?: number | undefined;
}

/** Anything that answers inference calls: the local pipeline, or a cluster front that may forward to other nodes. */
export interface InferFront {
  infer(call: InferCall): Promise<Answer>;
}

export interface PipelineOptions {
  service: InferenceService;
  admission: AdmissionLimiter;
  metrics?: ServingMetrics;
  nonFinite: NonFinitePolicy;
  maxRowsPerRequest: number;
  retryAfterS: number;
  /** Monotonic clock in ms (performance.now where it exists). */
  nowMs?: () => number;
}

const utf8 = new TextEncoder();

/**
 * The transport-neutral inference pipeline: request bytes → answer. It owns, in order, admission, the reply cache,
 * parsing, execution (tensor cache, batching), response shaping, the reply cache's store, statistics and metrics.
 * HTTP (fastify, fetch) and NATS adapters are thin wrappers around `infer`. Never throws: every failure becomes a
 * coded OIP error answer.
 */
export class InferPipeline implements InferFront {
  private readonly metrics: ServingMetrics;
  private readonly now: () => number;

  constructor(readonly o: PipelineOptions) {
    this.metrics = o.metrics ?? NOOP_METRICS;
    this.now = o.nowMs ?? (() => performance.now());
  }

  get service(): InferenceService {
    return this.o.service;
  }

  async infer(call: InferCall): Promise<Answer> {
    const t0 = this.now();
    let entry: ModelEntry | undefined;
    try {
      this.o.admission.admit();
    } catch (e) {
      return this.failed(call, undefined, t0, e);
    }
    try {
      entry = this.o.service.resolve(call.model, call.version);
      return await this.answer(entry, call, t0);
    } catch (e) {
      return this.failed(call, entry, t0, e);
    } finally {
      this.o.admission.release();
    }
  }

  private async answer(entry: ModelEntry, call: InferCall, t0: number): Promise<Answer> {
    const { service } = this.o;
    const raw = call.body;
    // Reply cache: identical request bytes (and framing) on the same model version get the identical serialised
    // reply, without parsing, batching or serialising again.
    let replyAt: ReplyLookup | undefined;
    let extra = '';
    if (service.replyCache && raw !== undefined && raw.length > 0) {
      extra = `${call.contentType ?? ''}\u0000${call.headerLength ?? ''}`;
      const r = service.replyLookup(entry, raw, extra);
      if (r?.hit) {
        this.succeeded(entry, t0);
        return r.hit.answer;
      }
      replyAt = r;
    }
    const { json, binary } = decodeBody(raw, call.headerLength);
    const parsed = parseInferRequest(json, entry.io, binary, {
      nonFinite: this.o.nonFinite,
      maxRows: this.o.maxRowsPerRequest,
    });
    const timeoutUs = tighter(parsed.timeoutUs, call.timeoutUs);
    const r = await service.infer(entry, parsed.x, parsed.rows, timeoutUs);
    const shaped = shapeResponse(entry.name, entry.version, parsed, r.out, entry.io);
    this.succeeded(entry, t0);
    const jsonText = JSON.stringify(shaped.body);
    let payload: string | Uint8Array = jsonText;
    let contentType = JSON_TYPE;
    let headerLength: string | undefined;
    if (shaped.binary.length > 0) {
      const head = utf8.encode(jsonText);
      headerLength = String(head.length);
      contentType = BINARY_TYPE;
      payload = concatBytes([head, ...shaped.binary]);
    }
    const answer = inferAnswer(payload, contentType, headerLength);
    if (replyAt !== undefined && raw !== undefined)
      service.replyStore(entry, replyAt, { request: raw.slice(), extra, answer });
    return answer;
  }

  private succeeded(entry: ModelEntry, t0: number): void {
    const totalS = (this.now() - t0) / 1000;
    this.o.service.record(entry, true, totalS * 1e6);
    this.metrics.requestFinished(entry.name, 'success', totalS);
  }

  private failed(call: InferCall, entry: ModelEntry | undefined, t0: number, e: unknown): Answer {
    const totalS = (this.now() - t0) / 1000;
    if (entry) this.o.service.record(entry, false, totalS * 1e6);
    // Unknown names share one label, so a client cannot grow the metric's label set without bound.
    const label = entry ? entry.name : this.o.service.registry.has(call.model) ? call.model : '_unknown';
    this.metrics.requestFinished(label, outcomeFor(toErrorData(e).code), totalS);
    return errorAnswer(e, this.o.retryAfterS);
  }
}

/** The answer of an inference reply (the same for a fresh and a cached one, so both are byte-identical). */
function inferAnswer(payload: string | Uint8Array, contentType: string, headerLength?: string): Answer {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (headerLength !== undefined) headers['inference-header-content-length'] = headerLength;
  return { status: 200, headers, payload };
}

function tighter(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}

/** Split a body into its JSON head and (binary_tensor_data) the binary tail. */
export function decodeBody(
  body: Uint8Array | undefined,
  headerLength: string | undefined,
): { json: unknown; binary?: Uint8Array } {
  if (body === undefined || body.length === 0) throw new ElmError('ELM_ERR_BAD_REQUEST', 'the request body is empty');
  let jsonLen = body.length;
  if (headerLength !== undefined) {
    const n = Number(headerLength);
    if (!Number.isInteger(n) || n <= 0 || n > body.length) {
      throw new ElmError('ELM_ERR_BAD_REQUEST', `Inference-Header-Content-Length ${headerLength} is invalid`);
    }
    jsonLen = n;
  }
  let json: unknown;
  try {
    json = parseInferJson(body, 0, jsonLen);
  } catch (e) {
    throw new ElmError('ELM_ERR_BAD_REQUEST', `the request body is not valid JSON: ${(e as Error).message}`);
  }
  if (jsonLen === body.length) return { json };
  return { json, binary: body.subarray(jsonLen) };
}
