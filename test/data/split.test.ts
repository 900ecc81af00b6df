import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isElmError } from '../../src/core/errors.js';
import { headRows, selectRows, validateDataset, type Dataset } from '../../src/data/dataset.js';
import { remapLabels } from '../../src/data/labels.js';
import { splitIndices, trainTestSplit } from '../../src/data/split.js';

function toy(rows: number): Dataset {
  const x = new Float32Array(rows * 2);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    x[2 * i] = i;
    x[2 * i + 1] = -i;
    y[i] = i % 3;
  }
  return { name: 'toy', task: 'classification', x, rows, cols: 2, y, labels: ['a', 'b', 'c'] };
}

test('split: sizes follow nTest = ceil(rows × f)', () => {
  for (const [rows, f, nTest] of [
    [1797, 0.2, 360],
    [100, 0.2, 20],
    [10, 0.3, 3],
    [7, 0.2, 2],
    [2, 0.5, 1],
  ] as const) {
    const s = splitIndices(rows, { testFraction: f });
    assert.equal(s.test.length, nTest, `${rows} × ${f}`);
    assert.equal(s.train.length, rows - nTest);
  }
});

test('split: deterministic, disjoint and covering; the seed matters', () => {
  const a = splitIndices(1797);
  const b = splitIndices(1797);
  assert.deepEqual([...a.train], [...b.train]);
  assert.deepEqual([...a.test], [...b.test]);
  const all = new Set([...a.train, ...a.test]);
  assert.equal(all.size, 1797);
  for (let i = 0; i < 1797; i++) assert.ok(all.has(i));
  const c = splitIndices(1797, { seed: 7 });
  assert.notDeepEqual([...c.test], [...a.test]);
});

test('split: rows travel with their labels', () => {
  const ds = toy(50);
  const { train, test } = trainTestSplit(ds, { testFraction: 0.2, seed: 3 });
  assert.equal(train.name, 'toy:train');
  assert.equal(test.name, 'toy:test');
  for (const part of [train, test]) {
    validateDataset(part);
    for (let i = 0; i < part.rows; i++) {
      const orig = part.x[2 * i]!;
      assert.equal(part.x[2 * i + 1], -orig);
      assert.equal(part.y[i], orig % 3);
    }
  }
});

test('split: bad arguments are coded errors', () => {
  const bad = (e: unknown) => isElmError(e, 'ELM_ERR_INVALID_ARGUMENT');
  assert.throws(() => splitIndices(10, { testFraction: 0 }), bad);
  assert.throws(() => splitIndices(10, { testFraction: 1 }), bad);
  assert.throws(() => splitIndices(1, {}), bad);
  assert.throws(() => splitIndices(10, { seed: -1 }), bad);
});

test('dataset helpers: selectRows, headRows, remapLabels, validateDataset', () => {
  const ds = toy(6);
  const s = selectRows(ds, [5, 0]);
  assert.deepEqual([...s.x], [5, -5, 0, -0]);
  assert.deepEqual([...s.y], [2, 0]);
  assert.throws(
    () => selectRows(ds, [6]),
    (e: unknown) => isElmError(e, 'ELM_ERR_INVALID_ARGUMENT'),
  );
  const h = headRows(ds, 2);
  assert.equal(h.rows, 2);
  assert.equal(h.x.buffer, ds.x.buffer);
  assert.ok(ds.task === 'classification');
  const r = remapLabels(ds, ['c', 'x', 'b', 'a']);
  assert.deepEqual([...r.y], [3, 2, 0, 3, 2, 0]);
  assert.throws(
    () => remapLabels(ds, ['a', 'b']),
    (e: unknown) => isElmError(e, 'ELM_ERR_INVALID_ARGUMENT'),
  );
  assert.throws(
    () => validateDataset({ ...ds, rows: 5 }),
    (e: unknown) => isElmError(e, 'ELM_ERR_SHAPE_MISMATCH'),
  );
  const y = ds.y.slice();
  y[0] = 3;
  assert.throws(
    () => validateDataset({ ...ds, y }),
    (e: unknown) => isElmError(e, 'ELM_ERR_SHAPE_MISMATCH'),
  );
});
