import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isElmError } from '../../src/core/errors.js';
import { parseCsv } from '../../src/data/csv.js';
import { validateDataset } from '../../src/data/dataset.js';

const code = (c: string) => (e: unknown) => isElmError(e) && e.code === c;
const parseErrAt = (line: number) => (e: unknown) =>
  isElmError(e, 'ELM_ERR_DATA_PARSE') && e.details?.['line'] === line;

test('csv: header, default last-column label, numeric class order', () => {
  const ds = parseCsv('a,b,y\n1,2,10\n3,4,2\n5,6,10\n7,8,0\n');
  assert.equal(ds.task, 'classification');
  assert.equal(ds.rows, 4);
  assert.equal(ds.cols, 2);
  assert.deepEqual([...ds.x], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(ds.labels, ['0', '2', '10']);
  assert.deepEqual([...ds.y], [2, 1, 2, 0]);
  assert.deepEqual(ds.featureNames, ['a', 'b']);
  validateDataset(ds);
});

test('csv: digit labels 0..9 map to indices 0..9', () => {
  const lines = ['f,label', ...[7, 3, 0, 9, 1, 2, 8, 4, 6, 5].map((d) => `${d * 10},${d}`)];
  const ds = parseCsv(lines.join('\n'));
  assert.deepEqual(ds.labels, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  for (let i = 0; i < ds.rows; i++) assert.equal(ds.y[i]! * 10, ds.x[i]);
});

test('csv: a column named label/target/class is the default label; string labels sort by code unit', () => {
  const ds = parseCsv('x1,Class,x2\n1,setosa,2\n3,versicolor,4\n5,Setosa,6\n');
  assert.equal(ds.task, 'classification');
  assert.deepEqual(ds.featureNames, ['x1', 'x2']);
  assert.deepEqual(ds.labels, ['Setosa', 'setosa', 'versicolor']);
  assert.deepEqual([...ds.y], [1, 2, 0]);
  assert.deepEqual([...ds.x], [1, 2, 3, 4, 5, 6]);
});

test('csv: label by name and by index (negative from the end)', () => {
  const text = 'p,q,r\n1,2,3\n4,5,6\n';
  assert.deepEqual(parseCsv(text, { label: 'p' }).featureNames, ['q', 'r']);
  assert.deepEqual(parseCsv(text, { label: 1 }).featureNames, ['p', 'r']);
  assert.deepEqual(parseCsv(text, { label: '1' }).featureNames, ['p', 'r']);
  assert.deepEqual(parseCsv(text, { label: -3 }).featureNames, ['q', 'r']);
});

test('csv: missing label column is ELM_ERR_DATA_SPEC', () => {
  assert.throws(() => parseCsv('a,b\n1,2\n', { label: 'nope' }), code('ELM_ERR_DATA_SPEC'));
  assert.throws(() => parseCsv('a,b\n1,2\n', { label: 5 }), code('ELM_ERR_DATA_SPEC'));
});

test('csv: regression inferred for fractional numeric labels, or forced with task', () => {
  const ds = parseCsv('a,y\n1,0.5\n2,1.25\n');
  assert.equal(ds.task, 'regression');
  assert.ok(ds.task === 'regression');
  assert.deepEqual([...ds.y], [0.5, 1.25]);
  assert.equal(ds.targets, 1);
  assert.deepEqual(ds.targetNames, ['y']);
  const forced = parseCsv('a,y\n1,3\n2,4\n', { task: 'regression' });
  assert.equal(forced.task, 'regression');
  assert.deepEqual([...forced.y], [3, 4]);
  assert.throws(() => parseCsv('a,y\n1,3\n2,cat\n', { task: 'regression' }), parseErrAt(3));
});

test('csv: quoted fields, escaped quotes, embedded newlines and delimiters, CRLF, BOM, blank lines', () => {
  const text = '\ufeff"feat, one","say ""hi""",label\r\n"1.5", 2 ,"a\r\nb"\r\n\r\n3,"4","c,d"\r\n\r\n';
  const ds = parseCsv(text);
  assert.deepEqual(ds.featureNames, ['feat, one', 'say "hi"']);
  assert.equal(ds.rows, 2);
  assert.deepEqual([...ds.x], [1.5, 2, 3, 4]);
  assert.deepEqual(ds.labels, ['a\r\nb', 'c,d']);
});

test('csv: header-less input, other delimiters, exponent notation', () => {
  const ds = parseCsv('1e-1;2;0\n-3.5;.5;1\n', { header: false, delimiter: ';' });
  assert.deepEqual(ds.featureNames, ['c0', 'c1']);
  assert.deepEqual([...ds.x], [Math.fround(0.1), 2, -3.5, 0.5]);
});

test('csv: line numbers in errors count quoted line breaks', () => {
  assert.throws(() => parseCsv('a,b\n1,"x\ny"\n2,3,4\n'), parseErrAt(4));
});

test('csv: ragged rows are ELM_ERR_DATA_PARSE with the line', () => {
  assert.throws(
    () => parseCsv('a,b,c\n1,2,0\n3,4\n'),
    (e: unknown) => parseErrAt(3)(e) && /ragged/.test((e as Error).message),
  );
  assert.throws(() => parseCsv('a,b,c\n1,2,0,9\n'), parseErrAt(2));
});

test('csv: non-numeric, empty, NaN, Infinity, hex and float32-overflow cells are errors', () => {
  for (const bad of ['abc', '', ' ', 'NaN', 'Infinity', '0x10', '1e39', '1,5']) {
    const text = `a,b,label\n1,2,0\n3,${bad.includes(',') ? `"${bad}"` : bad},1\n`;
    assert.throws(
      () => parseCsv(text),
      (e: unknown) => parseErrAt(3)(e) && e instanceof Error && e.message.includes('"b"'),
      bad,
    );
  }
});

test('csv: empty label cells are errors', () => {
  assert.throws(() => parseCsv('a,label\n1,0\n2,\n'), parseErrAt(3));
  assert.throws(() => parseCsv('a,label\n1,0\n2,NaN\n'), parseErrAt(3));
});

test('csv: empty file, header only, single column, unterminated quote', () => {
  assert.throws(() => parseCsv(''), code('ELM_ERR_DATA_PARSE'));
  assert.throws(() => parseCsv('\n\r\n  \n'), code('ELM_ERR_DATA_PARSE'));
  assert.throws(
    () => parseCsv('a,b\n'),
    (e: unknown) => isElmError(e, 'ELM_ERR_DATA_PARSE') && /no data rows/.test(e.message),
  );
  assert.throws(() => parseCsv('a\n1\n'), code('ELM_ERR_DATA_PARSE'));
  assert.throws(() => parseCsv('a,b\n1,"2\n3,4\n'), parseErrAt(2));
  assert.throws(() => parseCsv('a,b\n1,"2"x\n'), parseErrAt(2));
});

test('csv: bytes input — UTF-8 decoded, gzip and invalid UTF-8 rejected with codes', () => {
  const ds = parseCsv(new TextEncoder().encode('a,label\n1,x\n'));
  assert.deepEqual(ds.labels, ['x']);
  assert.throws(() => parseCsv(new Uint8Array([0x1f, 0x8b, 8, 0])), code('ELM_ERR_DATA_PARSE'));
  assert.throws(() => parseCsv(new Uint8Array([0x61, 0x2c, 0xff, 0x0a])), code('ELM_ERR_DATA_PARSE'));
});

test('csv: explicit classes keep a fixed mapping; unknown labels are rejected', () => {
  const ds = parseCsv('a,label\n1,b\n2,a\n', { classes: ['c', 'b', 'a'] });
  assert.deepEqual(ds.labels, ['c', 'b', 'a']);
  assert.deepEqual([...ds.y], [1, 2]);
  assert.throws(() => parseCsv('a,label\n1,z\n', { classes: ['a'] }), code('ELM_ERR_INVALID_ARGUMENT'));
});

test('csv: a large quote-free file parses fast and exactly', () => {
  const rows = 20000;
  const parts = ['f0,f1,f2,f3,label'];
  for (let i = 0; i < rows; i++) parts.push(`${i},${i % 7},${(i % 13) / 4},-${i % 5},${i % 3}`);
  const t0 = performance.now();
  const ds = parseCsv(parts.join('\n'));
  const ms = performance.now() - t0;
  assert.equal(ds.rows, rows);
  assert.equal(ds.x[4 * 12345 + 2], (12345 % 13) / 4);
  assert.ok(ms < 2000, `took ${ms} ms`);
});
