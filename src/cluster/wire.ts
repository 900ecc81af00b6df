import type { Answer } from '../serving/answer.js';
import type { InferCall } from '../serving/pipeline.js';
import type { Headers, IncomingMessage, Reply } from './port.js';

/**
 * Inference over NATS: the OIP body travels as the message data, byte for byte as over HTTP (JSON, or JSON head +
 * binary tensors); what HTTP carries in the path and headers travels in message headers. A reply carries the
 * answer's payload and headers plus its status, so a NATS client sees exactly what an HTTP client sees.
 */
export const H = {
  model: 'elmscale-model',
  version: 'elmscale-version',
  contentType: 'content-type',
  headerLength: 'inference-header-content-length',
  timeoutUs: 'elmscale-timeout-us',
  status: 'elmscale-status',
  node: 'elmscale-node',
} as const;

const utf8 = new TextEncoder();

export function requestHeaders(call: InferCall): Record<string, string> {
  const h: Record<string, string> = { [H.model]: call.model };
  if (call.version !== undefined) h[H.version] = call.version;
  if (call.contentType !== undefined) h[H.contentType] = call.contentType;
  if (call.headerLength !== undefined) h[H.headerLength] = call.headerLength;
  if (call.timeoutUs !== undefined) h[H.timeoutUs] = String(Math.max(0, Math.floor(call.timeoutUs)));
  return h;
}

/** The call a NATS request carries (the model from its header; `fallbackModel` from the subject when absent). */
export function callFromMessage(msg: IncomingMessage, fallbackModel: string): InferCall {
  const h = msg.headers ?? {};
  const timeout = h[H.timeoutUs] !== undefined ? Number(h[H.timeoutUs]) : undefined;
  return {
    model: h[H.model] ?? fallbackModel,
    version: h[H.version],
    body: msg.data,
    contentType: h[H.contentType],
    headerLength: h[H.headerLength],
    timeoutUs: timeout !== undefined && Number.isFinite(timeout) && timeout >= 0 ? timeout : undefined,
  };
}

export function replyOf(a: Answer, nodeId: string): { data: Uint8Array; headers: Headers } {
  const data = typeof a.payload === 'string' ? utf8.encode(a.payload) : a.payload;
  return { data, headers: { ...a.headers, [H.status]: String(a.status), [H.node]: nodeId } };
}

/** The answer a reply carries, and the node that gave it. */
export function answerOf(r: Reply): { answer: Answer; node?: string } {
  const h = { ...(r.headers ?? {}) };
  const status = Number(h[H.status] ?? 200);
  const node = h[H.node];
  delete h[H.status];
  delete h[H.node];
  return {
    answer: { status: Number.isFinite(status) ? status : 500, headers: h, payload: r.data },
    ...(node ? { node } : {}),
  };
}
