import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';

describe('elmscale CLI', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'elmscale-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--help works for the program and every command, exit 0', async () => {
    const top = await runCli(['--help']);
    assert.equal(top.code, 0);
    for (const cmd of ['train', 'eval', 'predict', 'inspect']) {
      assert.match(top.stdout, new RegExp(cmd));
      const r = await runCli([cmd, '--help']);
      assert.equal(r.code, 0, cmd);
      assert.match(r.stdout, /Usage: elmscale/);
    }
  });

  it('train --json → eval --json → inspect --json → predict --json on digits', async () => {
    const out = join(dir, 'd.elm');
    const t = await runCli([
      'train',
      '--data',
      'digits:train',
      '--test',
      'digits:test',
      '--hidden',
      '256',
      '--seed',
      '1',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(t.code, 0, t.stderr);
    const tj = JSON.parse(t.stdout);
    assert.equal(typeof tj.trainSeconds, 'number');
    assert.equal(tj.hidden, 256);
    assert.ok(tj.testAccuracy > 0.9, `accuracy ${tj.testAccuracy}`);
    assert.match(tj.contentHash, /^[0-9a-f]{64}$/);
    const e = await runCli(['eval', '--model', out, '--data', 'digits:test', '--json']);
    assert.equal(e.code, 0, e.stderr);
    const ej = JSON.parse(e.stdout);
    assert.equal(ej.rows, 360);
    assert.ok(Math.abs(ej.accuracy - tj.testAccuracy) < 1e-9, 'eval agrees with train --test');
    const i = JSON.parse((await runCli(['inspect', '--model', out, '--json'])).stdout);
    assert.equal(i.kind, 'elm');
    assert.equal(i.contentHash, tj.contentHash);
    assert.equal(i.config.hidden, 256);
    const p = await runCli([
      'predict',
      '--model',
      out,
      '--data',
      'digits:test',
      '--limit',
      '3',
      '--top',
      '2',
      '--json',
    ]);
    const pj = JSON.parse(p.stdout);
    assert.equal(pj.predictions.length, 3);
    assert.equal(pj.predictions[0].top.length, 2);
    const row = JSON.stringify(Array(64).fill(0));
    assert.equal((await runCli(['predict', '--model', out, '--input', row])).code, 0);
  });

  it('trains the other kinds and a regression CSV', async () => {
    const csv = join(dir, 'r.csv');
    const lines = ['a,b,y'];
    for (let i = 0; i < 200; i++) lines.push(`${i / 100},${(i % 7) / 7},${Math.sin(i / 100) + 0.25}`);
    await writeFile(csv, lines.join('\n'));
    const r = JSON.parse(
      (
        await runCli([
          'train',
          '--data',
          `csv:${csv}:label=y:task=regression`,
          '--test',
          `csv:${csv}:label=y:task=regression`,
          '--hidden',
          '40',
          '--C',
          '100',
          '--json',
        ])
      ).stdout,
    );
    assert.ok(r.testRmse < 0.1, `rmse ${r.testRmse}`);
    for (const kind of ['os-elm', 'kernel-elm']) {
      const k = await runCli([
        'train',
        '--kind',
        kind,
        '--data',
        'digits:train',
        '--test',
        'digits:test',
        '--hidden',
        '64',
        '--landmarks',
        '200',
        '--json',
      ]);
      assert.equal(k.code, 0, k.stderr);
      assert.ok(JSON.parse(k.stdout).testAccuracy > 0.85, kind);
    }
  });

  it('errors go to stderr with a code and non-zero exit', async () => {
    const bad = await runCli(['train', '--data', 'nonsense', '--json']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.equal(JSON.parse(bad.stderr).error.code, 'ELM_ERR_DATA_SPEC');
    const usage = await runCli(['train']);
    assert.equal(usage.code, 2);
    const missing = await runCli(['eval', '--model', join(dir, 'nope.elm'), '--data', 'digits']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ELM_ERR_DATA_NOT_FOUND/);
    const junk = join(dir, 'junk.elm');
    await writeFile(junk, 'not a model');
    const corrupt = await runCli(['inspect', '--model', junk]);
    assert.equal(corrupt.code, 1);
    assert.match(corrupt.stderr, /ELM_ERR_ARTIFACT_MAGIC/);
    const good = join(dir, 'g.elm');
    await runCli(['train', '--data', 'digits', '--hidden', '16', '--out', good]);
    const bytes = await readFile(good);
    await writeFile(join(dir, 'cut.elm'), bytes.subarray(0, bytes.length - 10));
    assert.match((await runCli(['inspect', '--model', join(dir, 'cut.elm')])).stderr, /ELM_ERR_ARTIFACT_TRUNCATED/);
    const shape = await runCli(['predict', '--model', good, '--input', '[1,2,3]']);
    assert.equal(shape.code, 1);
    assert.match(shape.stderr, /ELM_ERR_SHAPE_MISMATCH/);
  });
});
