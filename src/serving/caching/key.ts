/**
 * A fast 64-bit (two 32-bit lanes) hash of a float32 input, for cache keys. Works on 32-bit words, so a
 * 784-float MNIST row hashes in a couple of µs. Non-cryptographic: a cache of model outputs only needs
 * collisions to be improbable, and the key also holds the row count and model version.
 */
export function hashFloat32(x: Float32Array): string {
  const w = new Uint32Array(x.buffer, x.byteOffset, x.length);
  let h1 = 0x9747b28c ^ x.length,
    h2 = 0x85ebca6b ^ x.length;
  for (let i = 0; i < w.length; i++) {
    let k = Math.imul(w[i]!, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h1 ^= k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    h2 = Math.imul(h2 ^ w[i]!, 0x01000193) + i;
  }
  return finish(h1, h2);
}

/** The final avalanche of both 32-bit lanes, as a short string key. */
function finish(h1: number, h2: number): string {
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h2 ^= h2 >>> 15;
  h2 = Math.imul(h2, 0xc2b2ae35);
  h2 ^= h2 >>> 16;
  return (h1 >>> 0).toString(36) + '.' + (h2 >>> 0).toString(36);
}

/** The cache key prefix of one loaded model version (generation changes on every (re)load). */
export function cachePrefix(name: string, version: string, generation: number): string {
  return `${name}\u0000${version}\u0000${generation}\u0000`;
}

export function cacheKey(prefix: string, rows: number, x: Float32Array): string {
  return `${prefix}${rows}\u0000${hashFloat32(x)}`;
}

/**
 * A cheap hash of a request body for reply-cache keys: the length and at most ~320 32-bit words — all of a body up
 * to 1 KiB, else the first and last 32 words and 256 words spread evenly between. Hashing every byte of a 15 KB
 * MNIST body cost ≈ 6 µs, a tenth of the whole cached reply; this costs ≈ 0.2 µs. The reply cache keeps the request
 * bytes and compares them (memcmp) on every hit, and keeps a few bodies per key, so a body that differs only in
 * bytes not sampled is still answered exactly (see caching/reply.ts).
 */
export function sampleHashBytes(b: Uint8Array): string {
  const n = b.length,
    words = n >>> 2;
  // Word indices hashed: all, or 32 + 256 spread + 32 (in order, so a plain loop does both cases).
  const sampled = words > 320;
  const step = sampled ? (words - 64) / 256 : 1;
  const count = sampled ? 320 : words;
  const w = (b.byteOffset & 3) === 0 ? new Uint32Array(b.buffer, b.byteOffset, words) : undefined;
  let h1 = 0x9747b28c ^ n,
    h2 = 0x85ebca6b ^ n;
  for (let k = 0; k < count; k++) {
    const i = !sampled ? k : k < 32 ? k : k < 288 ? 32 + Math.floor((k - 32) * step) : words - 320 + k;
    let v: number;
    if (w) v = w[i]!;
    else {
      const j = i << 2;
      v = b[j]! | (b[j + 1]! << 8) | (b[j + 2]! << 16) | (b[j + 3]! << 24);
    }
    let x = Math.imul(v, 0xcc9e2d51);
    x = (x << 15) | (x >>> 17);
    x = Math.imul(x, 0x1b873593);
    h1 ^= x;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    h2 = Math.imul(h2 ^ v, 0x01000193) + i;
  }
  for (let j = words << 2; j < n; j++) {
    h1 = Math.imul(h1 ^ b[j]!, 0x01000193);
    h2 = (h2 + b[j]!) | 0;
  }
  return finish(h1, h2);
}

/** Reply-cache key: the model version's prefix, what else shapes the reply (`extra`), the body's length and hash. */
export function replyKey(prefix: string, extra: string, body: Uint8Array): string {
  return `${prefix}r\u0000${extra}\u0000${body.length}\u0000${sampleHashBytes(body)}`;
}
