import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveServerOptions } from '../../src/adapters/node/http/index.js';
import { isElmError } from '../../src/core/errors.js';
import { resolveConfig } from '../../src/serving/config-check.js';
import { SERVER_DEFAULTS, SERVER_SCHEMA } from '../../src/serving/config.js';
import { runCli } from '../helpers/cli.js';

const invalid = (option: string) => (e: unknown) =>
  isElmError(e, 'ELM_ERR_INVALID_ARGUMENT') && (e.details as { option?: string }).option === option;

describe('server configuration schema', () => {
  it('resolves to the schema defaults when nothing is given', () => {
    assert.deepEqual(resolveConfig({}), SERVER_DEFAULTS);
    for (const [k, s] of Object.entries(SERVER_SCHEMA)) assert.deepEqual(SERVER_DEFAULTS[k as 'port'], s.default, k);
  });

  it('validates every kind: ranges, integers, choices, lists, files, unknown keys', () => {
    assert.throws(() => resolveConfig({ port: 99999 }), invalid('port'));
    assert.throws(() => resolveConfig({ port: -1 }), invalid('port'));
    assert.throws(() => resolveConfig({ workers: 1.5 }), invalid('workers'));
    assert.throws(() => resolveConfig({ workers: '2' }), invalid('workers'));
    assert.throws(() => resolveConfig({ balancer: 'random' }), invalid('balancer'));
    assert.throws(() => resolveConfig({ protect: 'admin,everything' }), invalid('protect'));
    assert.throws(() => resolveConfig({ modelFiles: [42] }), invalid('modelFiles'));
    assert.throws(() => resolveConfig({ cache: 'no' }), invalid('cache'));
    assert.throws(() => resolveConfig({ maxBatchRow: 8 }), invalid('maxBatchRow'));
    assert.deepEqual(resolveConfig({ protect: 'admin, metrics,admin' }).protect, ['admin', 'metrics']);
    assert.deepEqual(resolveConfig({ modelFiles: ['a.elm', { path: 'b.elm', name: 'b' }] }).modelFiles, [
      { path: 'a.elm' },
      { path: 'b.elm', name: 'b' },
    ]);
  });

  it('takes a secret from the environment only when it is not given, and never echoes it in errors', () => {
    assert.equal(resolveConfig({}, { ELMSCALE_TOKEN: 'from-env' }).token, 'from-env');
    assert.equal(resolveConfig({ token: 'given' }, { ELMSCALE_TOKEN: 'from-env' }).token, 'given');
    assert.throws(
      () => resolveConfig({ token: 12345 }),
      (e: unknown) => isElmError(e) && !e.message.includes('12345'),
    );
  });

  it('startServer options go through the same schema', () => {
    assert.equal(resolveServerOptions({}).maxInflight, SERVER_DEFAULTS.maxInflight);
    assert.throws(() => resolveServerOptions({ port: 70000 }), invalid('port'));
  });
});

describe('serve flags derive from the schema', () => {
  it('--help lists a flag for every schema option', async () => {
    const r = await runCli(['serve', '--help']);
    assert.equal(r.code, 0);
    const text = r.stdout.replace(/\s+/g, ' ');
    for (const s of Object.values(SERVER_SCHEMA)) assert.ok(text.includes(`${s.flag} `), s.flag);
    assert.ok(text.includes('[env ELMSCALE_TOKEN]'));
    assert.ok(text.includes('least-outstanding | round-robin | power-of-two'), 'choices are listed');
  });

  it('bad values and unknown config keys are usage errors (exit 2) with the option named', async () => {
    const port = await runCli(['serve', '--port', '99999']);
    assert.equal(port.code, 2);
    assert.match(port.stderr, /ELM_ERR_INVALID_ARGUMENT: port must be ≤ 65535/);
    const dir = await mkdtemp(join(tmpdir(), 'elmscale-config-'));
    try {
      const f = join(dir, 'c.json');
      await writeFile(f, JSON.stringify({ port: 0, maxBatchRow: 8 }));
      const r = await runCli(['serve', '--config', f]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /unknown option "maxBatchRow"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
