import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isElmError } from '../../src/core/errors.js';
import { formatDataSpec, parseDataSpec } from '../../src/data/spec.js';

test('spec: the accepted forms', () => {
  assert.deepEqual(parseDataSpec('digits'), { kind: 'digits', subset: 'all' });
  assert.deepEqual(parseDataSpec(' digits:train '), { kind: 'digits', subset: 'train' });
  assert.deepEqual(parseDataSpec('digits:test'), { kind: 'digits', subset: 'test' });
  assert.deepEqual(parseDataSpec('mnist:train'), { kind: 'mnist', subset: 'train' });
  assert.deepEqual(parseDataSpec('mnist:test:500'), { kind: 'mnist', subset: 'test', limit: 500 });
  assert.deepEqual(parseDataSpec('idx:a/img.gz,b/lab'), { kind: 'idx', images: 'a/img.gz', labels: 'b/lab' });
  assert.deepEqual(parseDataSpec('csv:data/iris.csv'), { kind: 'csv', path: 'data/iris.csv' });
  assert.deepEqual(parseDataSpec('csv:x.csv:label=species'), { kind: 'csv', path: 'x.csv', label: 'species' });
  assert.deepEqual(parseDataSpec('csv:x.csv:task=regression:label=0'), {
    kind: 'csv',
    path: 'x.csv',
    label: '0',
    task: 'regression',
  });
  assert.deepEqual(parseDataSpec('csv:C:\\data\\x.csv:label=y'), { kind: 'csv', path: 'C:\\data\\x.csv', label: 'y' });
});

test('spec: format round-trips', () => {
  for (const s of [
    'digits',
    'digits:train',
    'mnist:test',
    'mnist:train:1000',
    'idx:a,b',
    'csv:p.csv',
    'csv:p.csv:label=y:task=regression',
  ]) {
    assert.equal(formatDataSpec(parseDataSpec(s)), s);
    assert.deepEqual(parseDataSpec(formatDataSpec(parseDataSpec(s))), parseDataSpec(s));
  }
});

test('spec: anything not understood is ELM_ERR_DATA_SPEC', () => {
  const bad = [
    '',
    'iris',
    'digits:validation',
    'Digits',
    'mnist',
    'mnist:val',
    'mnist:train:0',
    'mnist:train:-5',
    'mnist:train:1.5',
    'mnist:train:60001',
    'mnist:test:10001',
    'mnist:train:5:6',
    'idx:',
    'idx:onlyone',
    'idx:a,b,c',
    'idx:,b',
    'csv:',
    'csv::label=y',
    'csv:x.csv:label=',
    'csv:x.csv:task=clustering',
    'csv:x.csv:sep=;',
    'csv:x.csv:label=a:label=b',
  ];
  for (const s of bad)
    assert.throws(
      () => parseDataSpec(s),
      (e: unknown) => isElmError(e, 'ELM_ERR_DATA_SPEC'),
      s,
    );
});
