import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { findDataDir, loadDataSpec, loadDigits } from '../../src/adapters/node/data-files.js';
import { isElmError } from '../../src/core/errors.js';
import { validateDataset } from '../../src/data/dataset.js';
import { DIGITS_CLASSES } from '../../src/data/digits.js';
import { splitIndices } from '../../src/data/split.js';

test('digits: 1797 × 64, 10 classes, pixels 0..16, fixed 1437 / 360 split', async () => {
  const all = await loadDataSpec('digits');
  assert.equal(all.name, 'digits');
  assert.equal(all.rows, 1797);
  assert.equal(all.cols, 64);
  assert.ok(all.task === 'classification');
  assert.deepEqual(all.labels, DIGITS_CLASSES);
  assert.equal(all.featureNames![9], 'pixel_1_1');
  validateDataset(all);
  assert.equal(Math.max(...all.x), 16);
  assert.equal(Math.min(...all.x), 0);
  // The first row of sklearn's file is a 0.
  assert.equal(all.y[0], 0);
  assert.deepEqual([...all.x.subarray(0, 8)], [0, 0, 5, 13, 9, 1, 0, 0]);
  const counts = new Array<number>(10).fill(0);
  for (const c of all.y) counts[c]!++;
  assert.deepEqual(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);

  const train = await loadDataSpec('digits:train');
  const test_ = await loadDataSpec('digits:test');
  assert.equal(train.name, 'digits:train');
  assert.equal(train.rows, 1437);
  assert.equal(test_.rows, 360);
  // Disjoint and covering: every row of digits appears exactly once across the two parts (compare whole rows).
  const key = (x: Float32Array, i: number, y: number) => `${y}|${x.subarray(i * 64, i * 64 + 64).join(',')}`;
  const bag = new Map<string, number>();
  for (let i = 0; i < all.rows; i++) bag.set(key(all.x, i, all.y[i]!), (bag.get(key(all.x, i, all.y[i]!)) ?? 0) + 1);
  for (const part of [train, test_]) {
    for (let i = 0; i < part.rows; i++) {
      const k = key(part.x, i, part.y[i]!);
      assert.ok((bag.get(k) ?? 0) > 0, 'row not in digits, or used twice');
      bag.set(k, bag.get(k)! - 1);
    }
  }
  assert.ok([...bag.values()].every((v) => v === 0));
  // Pinned: the split is part of the data contract (seed 42), so every session and machine gets the same one.
  assert.deepEqual([...splitIndices(1797).test.subarray(0, 10)], [637, 1707, 742, 312, 406, 1395, 1004, 523, 669, 892]);
  assert.deepEqual([...test_.y.subarray(0, 10)], [4, 8, 8, 1, 0, 7, 3, 7, 3, 2]);
  assert.deepEqual([...test_.x.subarray(0, 64)], [...all.x.subarray(637 * 64, 638 * 64)]);
  const again = await loadDataSpec('digits:test');
  assert.deepEqual([...again.y], [...test_.y]);
});

test('digits: cached and fast after the first load; callers get independent copies', async () => {
  await loadDigits();
  const t0 = performance.now();
  const a = await loadDigits();
  const ms = performance.now() - t0;
  assert.ok(ms < 50, `cached digits load took ${ms} ms`);
  a.x[0] = 99;
  const b = await loadDigits();
  assert.equal(b.x[0], 0);
  assert.ok(findDataDir().endsWith('data'));
});

test('mnist:test is 10000 × 784 with labels 0..9; mnist:train:<n> takes the first n rows', async () => {
  const ds = await loadDataSpec('mnist:test');
  assert.equal(ds.name, 'mnist:test');
  assert.equal(ds.rows, 10000);
  assert.equal(ds.cols, 784);
  assert.ok(ds.task === 'classification');
  assert.deepEqual(ds.labels, DIGITS_CLASSES);
  assert.equal(Math.max(...ds.x.subarray(0, 784 * 10)), 255);
  // The first MNIST test digit is a 7, the first training digits are 5 0 4 1 9.
  assert.equal(ds.y[0], 7);
  const small = await loadDataSpec('mnist:train:5');
  assert.equal(small.rows, 5);
  assert.equal(small.x.length, 5 * 784);
  assert.deepEqual([...small.y], [5, 0, 4, 1, 9]);
  assert.deepEqual(small.labels, DIGITS_CLASSES);
});

test('csv files through the node adapter: plain, gzipped, options from the spec, missing file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'elm-csv-'));
  try {
    writeFileSync(join(dir, 'a.csv'), 'x,y,kind\n1,0.5,a\n2,1.5,b\n');
    writeFileSync(join(dir, 'b.csv.gz'), gzipSync('x,kind,y\n1,0,0.5\n2,1,1.5\n'));
    const a = await loadDataSpec('csv:a.csv', { baseDir: dir });
    assert.equal(a.name, 'csv:a.csv');
    assert.deepEqual(a.labels, ['a', 'b']);
    assert.deepEqual(a.featureNames, ['x', 'y']);
    const b = await loadDataSpec(`csv:${join(dir, 'b.csv.gz')}:label=y`);
    assert.ok(b.task === 'regression');
    assert.deepEqual(b.featureNames, ['x', 'kind']);
    assert.deepEqual([...b.y], [0.5, 1.5]);
    const r = await loadDataSpec('csv:a.csv:label=x:task=regression', { baseDir: dir }).catch((e: unknown) => e);
    assert.ok(isElmError(r, 'ELM_ERR_DATA_PARSE'), 'kind is not numeric, so it cannot be a feature');
    await assert.rejects(loadDataSpec('csv:missing.csv', { baseDir: dir }), (e: unknown) =>
      isElmError(e, 'ELM_ERR_DATA_NOT_FOUND'),
    );
    await assert.rejects(loadDataSpec('csv:a.csv:label=zz', { baseDir: dir }), (e: unknown) =>
      isElmError(e, 'ELM_ERR_DATA_SPEC'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
