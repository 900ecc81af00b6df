import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { writeFileAtomic } from '../../src/adapters/node/atomic-write.js';
import { isElmError } from '../../src/core/errors.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'elmscale-atomic-'));
});
after(() => rm(dir, { recursive: true, force: true }));

it('a write that fails midway leaves the previous file whole and no temporary file behind', async () => {
  const f = join(dir, 'model.elm');
  await writeFile(f, 'the previous version');
  function* parts() {
    yield new Uint8Array(1024).fill(7);
    throw new Error('disk full (simulated)');
  }
  await assert.rejects(writeFileAtomic(f, parts()), (e: unknown) => isElmError(e, 'ELM_ERR_IO'));
  assert.equal(await readFile(f, 'utf8'), 'the previous version');
  assert.deepEqual(await readdir(dir), ['model.elm']);
  await writeFileAtomic(f, 'the new version');
  assert.equal(await readFile(f, 'utf8'), 'the new version');
  assert.deepEqual(await readdir(dir), ['model.elm']);
});

it('train --out into an unwritable directory is an I/O error (exit 1), not ELM_ERR_INTERNAL', async (t) => {
  if (process.getuid?.() === 0) {
    // root ignores directory permissions: a missing directory gives the same error path.
    const r = await runCli(['train', '--data', 'digits:train', '--hidden', '32', '--out', join(dir, 'nope', 'm.elm')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ELM_ERR_IO: cannot write m\.elm \(ENOENT\)/);
    assert.ok(!r.stderr.includes(dir), 'the error does not carry the absolute path');
    return;
  }
  const ro = join(dir, 'ro');
  await writeFile(join(dir, 'placeholder'), '');
  await chmod(dir, 0o500);
  t.after(() => chmod(dir, 0o700));
  const r = await runCli(['train', '--data', 'digits:train', '--hidden', '32', '--out', join(ro, 'm.elm')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /ELM_ERR_IO/);
});

it('train without --out says on stderr that the model was not saved; --json stays one object on stdout', async () => {
  const r = await runCli(['train', '--data', 'digits:train', '--hidden', '32', '--json']);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /model was not saved \(give --out/);
  assert.equal(typeof JSON.parse(r.stdout).trainSeconds, 'number');
});
