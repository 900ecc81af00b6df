import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isElmError } from '../../src/core/errors.js';
import {
  leastOutstanding,
  powerOfTwoChoices,
  roundRobin,
  type Balancer,
} from '../../src/serving/balancing/balancers.js';
import { Batcher } from '../../src/serving/batching/batcher.js';
import { adaptiveBatching, dynamicBatching, noBatching, type BatchPolicy } from '../../src/serving/batching/policy.js';
import { LruCache, ShardedLruCache, type CacheOptions, type ResponseCache } from '../../src/serving/caching/cache.js';
import { hashFloat32 } from '../../src/serving/caching/key.js';
import { ManualScheduler } from '../../src/serving/scheduler.js';
import { Xoshiro128 } from '../../src/core/prng.js';

// ---- one conformance suite per strategy interface, run against every implementation ----

function batchPolicyConformance(name: string, make: () => BatchPolicy, maxRows: number): void {
  describe(`BatchPolicy conformance: ${name}`, () => {
    it('never dispatches without a free slot or an empty queue', () => {
      const p = make();
      assert.equal(p.decide({ queuedRows: 10, oldestAgeUs: 1e9, freeSlots: 0 }).dispatch, false);
      assert.equal(p.decide({ queuedRows: 0, oldestAgeUs: 0, freeSlots: 4 }).dispatch, false);
    });
    it('dispatches a full batch at once', () => {
      const d = make().decide({ queuedRows: maxRows, oldestAgeUs: 0, freeSlots: 1 });
      assert.equal(d.dispatch, true);
      assert.equal(d.maxRows, maxRows);
    });
    it('waits a finite time at most, then dispatches', () => {
      const p = make();
      const d = p.decide({ queuedRows: 1, oldestAgeUs: 0, freeSlots: 1 });
      if (!d.dispatch) {
        assert.ok(Number.isFinite(d.waitUs) && d.waitUs > 0);
        assert.equal(p.decide({ queuedRows: 1, oldestAgeUs: d.waitUs, freeSlots: 1 }).dispatch, true);
      }
    });
  });
}
batchPolicyConformance('dynamic (delay 500 µs)', () => dynamicBatching({ maxBatchRows: 8, maxQueueDelayUs: 500 }), 8);
batchPolicyConformance('dynamic (delay 0)', () => dynamicBatching({ maxBatchRows: 16, maxQueueDelayUs: 0 }), 16);
batchPolicyConformance('none', () => noBatching(), 1);
batchPolicyConformance('adaptive', () => adaptiveBatching({ maxBatchRows: 32, maxQueueDelayUs: 200 }), 32);

describe('adaptive batching', () => {
  const full = (p: BatchPolicy): number => p.decide({ queuedRows: 1000, oldestAgeUs: 0, freeSlots: 1 }).maxRows;
  it('caps batches at the size class measured cheapest per row, probing the others', () => {
    const p = adaptiveBatching({ maxBatchRows: 64, maxQueueDelayUs: 0 });
    assert.equal(full(p), 64);
    // sparse-input regime: one row 60 µs, batches 200 µs per row
    for (let i = 0; i < 4; i++) {
      p.observe!(64, 64 * 200);
      p.observe!(1, 60);
      p.observe!(2, 2 * 90);
    }
    const caps: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const c = full(p);
      caps.push(c);
      p.observe!(c, c * (c === 1 ? 60 : 200)); // what that batch would cost
    }
    const singles = caps.filter((c) => c === 1).length;
    assert.ok(singles > 2900, `mostly single rows, got ${singles}/3000`);
    assert.ok(caps.includes(64) && caps.includes(3), 'every class is probed now and then');
    const probeRows = caps.filter((c) => c > 1).reduce((a, b) => a + b, 0);
    assert.ok(probeRows < 0.25 * caps.reduce((a, b) => a + b, 0), 'probing costs a bounded share of the rows');
    // dense-input regime: batches get cheaper per row — the cap climbs back
    for (let i = 0; i < 3000; i++) {
      const c = full(p);
      p.observe!(c, c * (60 / Math.sqrt(c)));
    }
    assert.equal(full(p) >= 32, true);
  });
});

function cacheConformance(name: string, make: (o: CacheOptions) => ResponseCache<string>): void {
  describe(`ResponseCache conformance: ${name}`, () => {
    let t = 0;
    const now = () => t;
    it('get after set hits; unknown keys miss; stats count both', () => {
      const c = make({ maxBytes: 1 << 20, now });
      c.set('a', 'A', 10);
      assert.equal(c.get('a'), 'A');
      assert.equal(c.get('b'), undefined);
      const s = c.stats();
      assert.equal(s.hits, 1);
      assert.equal(s.misses, 1);
      assert.equal(s.entries, 1);
    });
    it('expires entries after the TTL', () => {
      t = 0;
      const c = make({ maxBytes: 1 << 20, ttlMs: 100, now });
      c.set('a', 'A', 1);
      t = 99;
      assert.equal(c.get('a'), 'A');
      t = 100;
      assert.equal(c.get('a'), undefined);
    });
    it('keeps within the byte budget, evicting least recently used first', () => {
      const c = make({ maxBytes: 64 * 1024, now });
      for (let i = 0; i < 2000; i++) {
        c.set(`k${i}`, 'v', 100);
        c.get('k0'); // keep k0 hot
      }
      assert.ok(c.stats().bytes <= 64 * 1024);
      assert.ok(c.stats().evictions > 0);
      assert.equal(c.get('k0'), 'v');
      assert.equal(c.get('k1'), undefined);
      assert.equal(c.get('k1999'), 'v');
    });
    it('honours an entry limit and refuses values larger than the budget', () => {
      const c = make({ maxBytes: 1 << 20, maxEntries: 64, now });
      for (let i = 0; i < 200; i++) c.set(`k${i}`, 'v', 1);
      assert.ok(c.stats().entries <= 64);
      c.set('huge', 'v', 2 << 20);
      assert.equal(c.get('huge'), undefined);
    });
    it('invalidates by prefix, deletes and clears', () => {
      const c = make({ maxBytes: 1 << 20, now });
      c.set('m\u00001\u0000x', 'A', 1);
      c.set('m\u00001\u0000y', 'B', 1);
      c.set('m\u00002\u0000x', 'C', 1);
      assert.equal(c.invalidate('m\u00001\u0000'), 2);
      assert.equal(c.get('m\u00001\u0000x'), undefined);
      assert.equal(c.get('m\u00002\u0000x'), 'C');
      assert.equal(c.delete('m\u00002\u0000x'), true);
      c.set('z', 'Z', 1);
      c.clear();
      assert.equal(c.stats().entries, 0);
      assert.equal(c.stats().bytes, 0);
    });
  });
}
cacheConformance('LruCache', (o) => new LruCache<string>(o));
cacheConformance('ShardedLruCache', (o) => new ShardedLruCache<string>(o, 4));

function balancerConformance(name: string, make: () => Balancer): void {
  describe(`Balancer conformance: ${name}`, () => {
    it('returns -1 when no worker is alive and never picks a dead one', () => {
      const b = make();
      assert.equal(b([{ alive: false, outstanding: 0 }]), -1);
      const ws = [
        { alive: false, outstanding: 0 },
        { alive: true, outstanding: 5 },
        { alive: false, outstanding: 0 },
        { alive: true, outstanding: 3 },
      ];
      for (let i = 0; i < 50; i++) assert.ok([1, 3].includes(b(ws)));
    });
    it('spreads work over every live worker', () => {
      const b = make();
      const ws = Array.from({ length: 4 }, () => ({ alive: true, outstanding: 0 }));
      const counts = [0, 0, 0, 0];
      for (let i = 0; i < 400; i++) {
        const k = b(ws);
        counts[k]!++;
        ws[k]!.outstanding++;
      }
      for (const c of counts) assert.ok(c > 40, `counts ${counts}`);
    });
  });
}
balancerConformance('least-outstanding', leastOutstanding);
balancerConformance('round-robin', roundRobin);
const rng = new Xoshiro128(3);
balancerConformance('power-of-two', () => powerOfTwoChoices(() => rng.uniform()));

describe('least-outstanding picks the idlest worker', () => {
  it('picks the minimum', () => {
    assert.equal(
      leastOutstanding()([
        { alive: true, outstanding: 3 },
        { alive: true, outstanding: 1 },
        { alive: true, outstanding: 2 },
      ]),
      1,
    );
  });
});

// ---- the batcher, driven by a manual clock ----

function echoBatcher(policy: BatchPolicy, sched: ManualScheduler, slots = 1, maxQueueRows = 1000) {
  const batches: number[] = [];
  const pending: (() => void)[] = [];
  const b = new Batcher(
    (x, rows) => {
      batches.push(rows);
      // out = 2·x (d = m = 2), completed when the test says so
      return new Promise((resolve) => pending.push(() => resolve(x.map((v) => v * 2))));
    },
    policy,
    sched,
    { inputDim: 2, outputDim: 2, maxQueueRows, slots: () => slots },
  );
  const complete = async () => {
    while (pending.length) pending.shift()!();
    await new Promise((r) => setImmediate(r));
    sched.flush();
  };
  return { b, batches, complete };
}

describe('Batcher', () => {
  it('merges requests that arrive together; results equal one-by-one; N rows count N', async () => {
    const s = new ManualScheduler();
    const { b, batches, complete } = echoBatcher(dynamicBatching({ maxBatchRows: 8, maxQueueDelayUs: 0 }), s);
    const ps = [];
    for (let i = 0; i < 10; i++)
      ps.push(b.submit(new Float32Array([i, i + 0.5, i + 1, i + 1.5]).subarray(0, i % 2 ? 2 : 4), i % 2 ? 1 : 2));
    s.flush();
    for (let k = 0; k < 5; k++) await complete();
    const rs = await Promise.all(ps);
    rs.forEach((r, i) => {
      const want = [i * 2, (i + 0.5) * 2, (i + 1) * 2, (i + 1.5) * 2].slice(0, i % 2 ? 2 : 4);
      assert.deepEqual(Array.from(r.out), want);
    });
    assert.equal(
      batches.reduce((a, c) => a + c, 0),
      15,
    );
    assert.ok(batches.every((n) => n <= 8));
    assert.ok(batches.length < 10);
  });

  it('waits up to the max queue delay for a fuller batch, dispatches at once when full', async () => {
    const s = new ManualScheduler();
    const { b, batches, complete } = echoBatcher(dynamicBatching({ maxBatchRows: 4, maxQueueDelayUs: 1000 }), s);
    const p1 = b.submit(new Float32Array(2), 1);
    s.flush();
    assert.equal(batches.length, 0);
    s.advance(999);
    assert.equal(batches.length, 0);
    s.advance(1);
    assert.deepEqual(batches, [1]);
    await complete();
    await p1;
    const ps = [1, 2, 3, 4].map(() => b.submit(new Float32Array(2), 1));
    s.flush();
    assert.deepEqual(batches, [1, 4]);
    await complete();
    await Promise.all(ps);
  });

  it('sheds load with ELM_ERR_OVERLOADED when the queue is full, and times out stale requests', async () => {
    const s = new ManualScheduler();
    const { b, complete } = echoBatcher(noBatching(), s, 1, 3);
    const first = b.submit(new Float32Array(2), 1);
    s.flush(); // first is now running, the queue is empty
    const queued = [
      b.submit(new Float32Array(2), 1, s.nowUs() + 100),
      b.submit(new Float32Array(2), 1),
      b.submit(new Float32Array(2), 1),
    ];
    await assert.rejects(b.submit(new Float32Array(2), 1), (e: unknown) => isElmError(e, 'ELM_ERR_OVERLOADED'));
    const timedOut = assert.rejects(queued[0]!, (e: unknown) => isElmError(e, 'ELM_ERR_TIMEOUT'));
    s.advance(200);
    await complete();
    for (let k = 0; k < 4; k++) await complete();
    await first;
    await timedOut;
    await queued[1];
    await queued[2];
  });

  it('drain() lets queued work finish and then refuses new work', async () => {
    const s = new ManualScheduler();
    const { b, complete } = echoBatcher(noBatching(), s);
    const ps = [b.submit(new Float32Array(2), 1), b.submit(new Float32Array(2), 1)];
    s.flush();
    const drained = b.drain();
    for (let k = 0; k < 3; k++) await complete();
    await Promise.all(ps);
    await drained;
    await assert.rejects(b.submit(new Float32Array(2), 1), (e: unknown) => isElmError(e, 'ELM_ERR_MODEL_NOT_READY'));
  });

  it('propagates executor errors to every request of the batch', async () => {
    const s = new ManualScheduler();
    const b = new Batcher(
      () => Promise.reject(new Error('boom')),
      dynamicBatching({ maxBatchRows: 4, maxQueueDelayUs: 0 }),
      s,
      {
        inputDim: 1,
        outputDim: 1,
        maxQueueRows: 10,
        slots: () => 1,
      },
    );
    const ps = [b.submit(new Float32Array(1), 1), b.submit(new Float32Array(1), 1)];
    s.flush();
    for (const p of ps) await assert.rejects(p, /boom/);
  });
});

describe('cache key hash', () => {
  it('differs for different inputs and is stable', () => {
    const a = new Float32Array([1, 2, 3]);
    assert.equal(hashFloat32(a), hashFloat32(new Float32Array([1, 2, 3])));
    assert.notEqual(hashFloat32(a), hashFloat32(new Float32Array([1, 2, 4])));
    assert.notEqual(hashFloat32(a), hashFloat32(new Float32Array([3, 2, 1])));
  });
});
