import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Xoshiro128, permutation } from '../../src/core/prng.js';
import { crc32, fnv1a64, sha256Hex } from '../../src/core/hash.js';
import { generateHiddenWeights } from '../../src/models/hidden-layer.js';

describe('seeded PRNG (format-defining)', () => {
  it('produces the pinned sequence for seed 42 (changing it breaks every artifact)', () => {
    const r = new Xoshiro128(42);
    const first = [r.next(), r.next(), r.next(), r.next()];
    const again = new Xoshiro128(42);
    assert.deepEqual([again.next(), again.next(), again.next(), again.next()], first);
    // Pinned: regenerate only if the generator is deliberately versioned.
    assert.deepEqual(first, PINNED_42);
  });

  it('uniform is in [0,1) with 24-bit resolution, mean ≈ 0.5; normal has mean ≈ 0, var ≈ 1', () => {
    const r = new Xoshiro128(7);
    let s = 0;
    for (let i = 0; i < 100000; i++) {
      const u = r.uniform();
      assert.ok(u >= 0 && u < 1);
      assert.equal(u * 2 ** 24, Math.floor(u * 2 ** 24));
      s += u;
    }
    assert.ok(Math.abs(s / 100000 - 0.5) < 0.005);
    let m = 0,
      v = 0;
    for (let i = 0; i < 50000; i++) {
      const z = r.normal();
      m += z;
      v += z * z;
    }
    assert.ok(Math.abs(m / 50000) < 0.02 && Math.abs(v / 50000 - 1) < 0.03);
  });

  it('hidden weights are a pure function of (seed, d, L, scale) and differ across seeds', () => {
    const a = generateHiddenWeights(5, 10, 20, 1);
    const b = generateHiddenWeights(5, 10, 20, 1);
    const c = generateHiddenWeights(6, 10, 20, 1);
    assert.deepEqual(a.w, b.w);
    assert.deepEqual(a.b, b.b);
    assert.notDeepEqual(a.w, c.w);
    const bound = Math.sqrt(3 / 10);
    assert.ok(a.w.every((x) => Math.abs(x) <= bound));
  });

  it('permutation is a seeded bijection', () => {
    const p = permutation(1000, 3);
    assert.deepEqual(
      [...p].sort((x, y) => x - y),
      Array.from({ length: 1000 }, (_, i) => i),
    );
    assert.deepEqual(permutation(1000, 3), p);
  });
});

describe('hashes against known vectors', () => {
  const enc = new TextEncoder();
  it('crc32("123456789") = cbf43926', () => assert.equal(crc32(enc.encode('123456789')).toString(16), 'cbf43926'));
  it('sha256', () => {
    assert.equal(sha256Hex(enc.encode('')), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(sha256Hex(enc.encode('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const long = enc.encode('a'.repeat(1000));
    assert.equal(sha256Hex(long), '41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3');
  });
  it('fnv1a64', () => {
    assert.equal(fnv1a64(enc.encode('')), 'cbf29ce484222325');
    assert.equal(fnv1a64(enc.encode('a')), 'af63dc4c8601ec8c');
    assert.equal(fnv1a64(enc.encode('foobar')), '85944171f73967e8');
  });
});

const PINNED_42 = [2837322924, 544945897, 479756282, 3500138142];
