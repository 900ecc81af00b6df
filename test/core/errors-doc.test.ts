import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ERROR_CODES, ElmError, fromErrorData, toErrorData } from '../../src/core/errors.js';

it('docs/errors.md lists exactly the codes in src/core/errors.ts', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `(ELM_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]));
  assert.deepEqual([...documented].sort(), Object.keys(ERROR_CODES).sort());
});

it('errors survive a round trip through plain data', () => {
  const e = new ElmError('ELM_ERR_SHAPE_MISMATCH', 'bad', { rows: 3 });
  const back = fromErrorData(JSON.parse(JSON.stringify(toErrorData(e))));
  assert.equal(back.code, 'ELM_ERR_SHAPE_MISMATCH');
  assert.deepEqual(back.details, { rows: 3 });
  assert.equal(toErrorData(new Error('x')).code, 'ELM_ERR_INTERNAL');
  assert.equal(fromErrorData({ code: 'NOPE' as never, message: 'm' }).code, 'ELM_ERR_INTERNAL');
});
