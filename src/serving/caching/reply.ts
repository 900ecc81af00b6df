import type { Answer } from '../answer.js';

/**
 * First-level cache entry: a complete answer, keyed by the exact request bytes (plus whatever else shapes the
 * reply: content type, framing). Identical request → identical answer, so a hit skips parsing, batching and
 * serialisation. The request bytes are kept and compared on every hit, so a hash collision can only miss.
 */
export interface CachedReply {
  /** The request body the reply answers (a private copy). */
  request: Uint8Array;
  /** What besides the body made the reply (compared on a hit, like the body). */
  extra: string;
  /** The answer exactly as sent (payload: a JSON string, or JSON head + binary tensors). */
  answer: Answer;
}

/**
 * What the reply cache holds per key: the replies of up to REPLY_BUCKET distinct bodies whose keys coincide (the key
 * hashes a sample of the body), most recently stored first.
 */
export type ReplyBucket = CachedReply[];
export const REPLY_BUCKET = 4;

/** Bytes an entry holds (request copy + payload), for the byte budget. */
export function replyBytes(r: CachedReply): number {
  return (
    r.request.byteLength +
    r.extra.length * 2 +
    (typeof r.answer.payload === 'string' ? r.answer.payload.length * 2 : r.answer.payload.byteLength)
  );
}

/** The bucket after storing `r`: it first, then the others for different requests, at most REPLY_BUCKET. */
export function withReply(bucket: ReplyBucket | undefined, r: CachedReply, equal: BytesEqual): ReplyBucket {
  const out = [r];
  for (const o of bucket ?? []) {
    if (out.length >= REPLY_BUCKET) break;
    if (o.extra !== r.extra || !equal(o.request, r.request)) out.push(o);
  }
  return out;
}

/** Byte equality (the node adapter passes a memcmp-based one). */
export type BytesEqual = (a: Uint8Array, b: Uint8Array) => boolean;

/** Portable byte equality: 4 bytes at a time where both are aligned (bodies are KBs of JSON text). */
export const bytesEqual: BytesEqual = (a, b) => {
  const n = a.byteLength;
  if (n !== b.byteLength) return false;
  let i = 0;
  if ((a.byteOffset & 3) === 0 && (b.byteOffset & 3) === 0) {
    const wa = new Uint32Array(a.buffer, a.byteOffset, n >>> 2),
      wb = new Uint32Array(b.buffer, b.byteOffset, n >>> 2);
    for (let k = 0; k < wa.length; k++) if (wa[k] !== wb[k]) return false;
    i = wa.length << 2;
  }
  for (; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
};
