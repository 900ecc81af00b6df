import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadDataSpec, readDataFile } from '../../src/adapters/node/data-files.js';
import { isElmError } from '../../src/core/errors.js';
import { encodeIdx, idxToDataset, parseIdx, type IdxArray } from '../../src/data/idx.js';

const parseErr = (e: unknown) => isElmError(e, 'ELM_ERR_DATA_PARSE');

function tinyImages(): IdxArray {
  const data = new Uint8Array(3 * 2 * 2);
  for (let i = 0; i < data.length; i++) data[i] = (i * 23) % 256;
  return { type: 'ubyte', dims: [3, 2, 2], data };
}
const tinyLabels = (): IdxArray => ({ type: 'ubyte', dims: [3], data: new Uint8Array([2, 0, 2]) });

test('idx: header layout is the MNIST one (0x0803, big-endian dims)', () => {
  const bytes = encodeIdx(tinyImages());
  assert.deepEqual([...bytes.subarray(0, 8)], [0, 0, 8, 3, 0, 0, 0, 3]);
  assert.equal(bytes.length, 4 + 12 + 12);
});

test('idx: round trip for every element type', () => {
  const cases: IdxArray[] = [
    tinyImages(),
    { type: 'sbyte', dims: [4], data: new Int8Array([-128, -1, 0, 127]) },
    { type: 'int16', dims: [2, 2], data: new Int16Array([-30000, 1, 258, 30000]) },
    { type: 'int32', dims: [3], data: new Int32Array([-2e9, 7, 2e9]) },
    { type: 'float32', dims: [1, 2], data: new Float32Array([1.5, -0.25]) },
    { type: 'float64', dims: [2], data: new Float64Array([Math.PI, -1e300]) },
  ];
  for (const c of cases) {
    const back = parseIdx(encodeIdx(c));
    assert.equal(back.type, c.type);
    assert.deepEqual(back.dims, c.dims);
    assert.deepEqual([...back.data], [...c.data]);
  }
});

test('idx: images + labels → classification data set with raw pixel values', () => {
  const ds = idxToDataset(parseIdx(encodeIdx(tinyImages())), parseIdx(encodeIdx(tinyLabels())));
  assert.equal(ds.rows, 3);
  assert.equal(ds.cols, 4);
  assert.deepEqual([...ds.x], [...tinyImages().data]);
  assert.deepEqual(ds.labels, ['0', '2']);
  assert.deepEqual([...ds.y], [1, 0, 1]);
  const fixed = idxToDataset(parseIdx(encodeIdx(tinyImages())), parseIdx(encodeIdx(tinyLabels())), {
    classes: ['0', '1', '2'],
    limit: 2,
  });
  assert.equal(fixed.rows, 2);
  assert.deepEqual([...fixed.y], [2, 0]);
});

test('idx: bad magic, truncated and trailing bytes, gzip input', () => {
  const good = encodeIdx(tinyImages());
  const badMagic = good.slice();
  badMagic[0] = 1;
  assert.throws(() => parseIdx(badMagic), parseErr);
  const badType = good.slice();
  badType[2] = 0x07;
  assert.throws(() => parseIdx(badType), parseErr);
  assert.throws(
    () => parseIdx(good.subarray(0, good.length - 1)),
    (e: unknown) => parseErr(e) && /truncated/.test((e as Error).message),
  );
  assert.throws(() => parseIdx(good.subarray(0, 6)), parseErr);
  assert.throws(() => parseIdx(new Uint8Array([0, 0])), parseErr);
  const longer = new Uint8Array(good.length + 3);
  longer.set(good);
  assert.throws(() => parseIdx(longer), parseErr);
  assert.throws(
    () => parseIdx(gzipSync(good)),
    (e: unknown) => parseErr(e) && /gzip/.test((e as Error).message),
  );
});

test('idx: mismatched image and label counts', () => {
  const labels: IdxArray = { type: 'ubyte', dims: [2], data: new Uint8Array([1, 2]) };
  assert.throws(
    () => idxToDataset(tinyImages(), labels),
    (e: unknown) => isElmError(e, 'ELM_ERR_SHAPE_MISMATCH'),
  );
});

test('idx: files through the node adapter, raw and gzipped; corrupt gzip; missing file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'elm-idx-'));
  try {
    writeFileSync(join(dir, 'img'), encodeIdx(tinyImages()));
    writeFileSync(join(dir, 'lab.gz'), gzipSync(encodeIdx(tinyLabels())));
    const ds = await loadDataSpec('idx:img,lab.gz', { baseDir: dir });
    assert.equal(ds.name, 'idx:img,lab.gz');
    assert.equal(ds.rows, 3);
    assert.deepEqual([...ds.x], [...tinyImages().data]);
    const gz = gzipSync(encodeIdx(tinyImages()));
    writeFileSync(join(dir, 'broken.gz'), gz.subarray(0, gz.length - 6));
    await assert.rejects(readDataFile(join(dir, 'broken.gz')), parseErr);
    await assert.rejects(loadDataSpec('idx:nope,lab.gz', { baseDir: dir }), (e: unknown) =>
      isElmError(e, 'ELM_ERR_DATA_NOT_FOUND'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
