import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ERROR_CODES, type ErrorCode } from '../../src/core/errors.js';
import { httpStatusFor } from '../../src/serving/protocol/status.js';

it('the HTTP status column of docs/errors.md is the status the server answers, for every code', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| `(ELM_ERR_[A-Z_]+)` \|.*\| (\d{3})[^|]*\|$/gm)];
  assert.equal(rows.length, Object.keys(ERROR_CODES).length);
  for (const [, code, status] of rows) assert.equal(httpStatusFor(code as ErrorCode), Number(status), code);
});
