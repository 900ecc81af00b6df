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
