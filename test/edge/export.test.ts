/** `elmscale export`: a static folder with the page, the bundle, the wasm and the content-addressed artifact. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadDataSpec } from '../../src/adapters/node/data-files.js';
import { sha256Hex } from '../../src/core/hash.js';
import { ModelCodecs } from '../../src/models/artifact/codecs.js';
import { ELM } from '../../src/models/elm.js';
import { runCli } from '../helpers/cli.js';

describe('elmscale export', () => {
  let dir: string;
  let bytes: Uint8Array;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'elmscale-export-cli-'));
    const train = await loadDataSpec('digits:train');
    bytes = new ModelCodecs().encode(ELM.fit(train, { hidden: 64, seed: 5 }));
    writeFileSync(join(dir, 'm.elm'), bytes);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes page, bundle, wasm, artifact, config and headers', async () => {
    const out = join(dir, 'site');
    const r = await runCli(['export', '--model', join(dir, 'm.elm'), '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { contentHash: string; artifact: string; files: string[] };
    const hash = sha256Hex(bytes);
    assert.equal(res.contentHash, hash);
    assert.equal(res.artifact, `artifacts/${hash}.elm`);
    assert.deepEqual(new Uint8Array(readFileSync(join(out, res.artifact))), bytes);
    for (const f of ['index.html', 'edge/elmscale.js', 'edge/elmscale.wasm', 'edge/demo.js', 'edge/train-worker.js']) {
      assert.ok(existsSync(join(out, f)), `${f} missing`);
    }
    assert.ok(!existsSync(join(out, 'edge/elmscale.js.map')), 'source maps are opt-in');
    const cfg = JSON.parse(readFileSync(join(out, 'edge/config.json'), 'utf8')) as { model: null; artifact: string };
    assert.equal(cfg.model, null);
    assert.equal(cfg.artifact, res.artifact);
    assert.match(
      readFileSync(join(out, '_headers'), 'utf8'),
      /\/artifacts\/\*\n {2}Cache-Control: public, max-age=31536000, immutable/,
    );
  });

  it('refuses a file that is not an artifact', async () => {
    writeFileSync(join(dir, 'bad.elm'), 'not an artifact');
    const r = await runCli(['export', '--model', join(dir, 'bad.elm'), '--out', join(dir, 'x')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ELM_ERR_ARTIFACT_MAGIC|ELM_ERR_ARTIFACT/);
    const missing = await runCli(['export', '--model', join(dir, 'none.elm'), '--out', join(dir, 'y')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ELM_ERR_DATA_NOT_FOUND/);
  });
});
