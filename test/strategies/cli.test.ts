import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';

describe('strategies CLI', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'elmscale-strat-'));
    const a = await runCli([
      'train',
      '--data',
      'digits:train',
      '--hidden',
      '32',
      '--seed',
      '1',
      '--out',
      join(dir, 's.elm'),
      '--json',
    ]);
    assert.equal(a.code, 0, a.stderr);
    const b = await runCli([
      'train',
      '--data',
      'digits:train',
      '--hidden',
      '512',
      '--seed',
      '2',
      '--out',
      join(dir, 'l.elm'),
      '--json',
    ]);
    assert.equal(b.code, 0, b.stderr);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('quantize → eval/inspect work on the int8 artifact', async () => {
    const q = join(dir, 'q.elm');
    const r = await runCli([
      'quantize',
      '--model',
      join(dir, 'l.elm'),
      '--out',
      q,
      '--test',
      'digits:test',
      '--latency-rows',
      '20',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(j.sizeRatio >= 3.3, `ratio ${j.sizeRatio}`); // 3.8× at MNIST L=4096; β is a smaller share here
    assert.ok(j.floatAccuracy - j.int8Accuracy <= 0.01);
    const e = JSON.parse((await runCli(['eval', '--model', q, '--data', 'digits:test', '--json'])).stdout);
    assert.equal(e.kind, 'elm-int8');
    assert.ok(Math.abs(e.accuracy - j.int8Accuracy) < 1e-9);
    const i = JSON.parse((await runCli(['inspect', '--model', q, '--json'])).stdout);
    assert.equal(i.hiddenPrecision, 'int8');
  });

  it('distill writes a student; route calibrates and routes; predict works on the router', async () => {
    const s = join(dir, 'st.elm');
    const d = await runCli([
      'distill',
      '--teacher',
      join(dir, 'l.elm'),
      '--data',
      'digits:train',
      '--hidden',
      '128',
      '--out',
      s,
      '--test',
      'digits:test',
      '--json',
    ]);
    assert.equal(d.code, 0, d.stderr);
    const dj = JSON.parse(d.stdout);
    assert.ok(dj.studentAccuracy > 0.9 * dj.teacherAccuracy);
    assert.equal(dj.computeRatio < 0.3, true);
    const r = join(dir, 'r.elm');
    const rr = await runCli([
      'route',
      '--small',
      join(dir, 's.elm'),
      '--large',
      join(dir, 'l.elm'),
      '--calibrate',
      'digits:test',
      '--target-accuracy-drop',
      '0.01',
      '--out',
      r,
      '--test',
      'digits:test',
      '--json',
    ]);
    assert.equal(rr.code, 0, rr.stderr);
    const rj = JSON.parse(rr.stdout);
    assert.ok(rj.calibration.met);
    assert.ok(rj.test.accuracy >= rj.calibration.largeAccuracy - 0.01 - 1e-9);
    assert.equal(rj.members.length, 2);
    const p = await runCli(['predict', '--model', r, '--data', 'digits:test', '--limit', '3', '--json']);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(JSON.parse(p.stdout).predictions.length, 3);
  });

  it('moe with external members: loads from sibling <sha256>.elm files, fails clearly when one is gone', async () => {
    const sub = await mkdtemp(join(dir, 'ext-'));
    const m = join(sub, 'm.elm');
    const r = await runCli([
      'moe',
      '--data',
      'digits:train',
      '--experts',
      '3',
      '--hidden',
      '64',
      '--out',
      m,
      '--external-members',
      '--test',
      'digits:test',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(j.testAccuracy > 0.85);
    assert.equal((await readdir(sub)).length, 4);
    const e = await runCli(['eval', '--model', m, '--data', 'digits:test', '--json']);
    assert.equal(e.code, 0, e.stderr);
    assert.ok(Math.abs(JSON.parse(e.stdout).accuracy - j.testAccuracy) < 1e-9);
    await unlink(j.members[1].file);
    const bad = await runCli(['eval', '--model', m, '--data', 'digits:test', '--json']);
    assert.equal(bad.code, 1);
    assert.equal(JSON.parse(bad.stderr).error.code, 'ELM_ERR_ARTIFACT_MEMBER_MISSING');
  });

  it('strategies-report --json on digits lists every variant and target', async () => {
    const r = await runCli([
      'strategies-report',
      '--data',
      'digits:train',
      '--test',
      'digits:test',
      '--hidden',
      '256',
      '--small',
      '32',
      '--holdout',
      '300',
      '--latency-rows',
      '20',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(
      j.rows.map((x: { name: string }) => x.name),
      ['base', 'int8', 'distilled', 'labels-only', 'small', 'small-labels', 'router', 'moe'],
    );
    assert.equal(j.targets.length, 10);
    for (const row of j.rows) assert.ok(row.accuracy > 0.5 && row.bytes > 0 && row.latencyMedianUs > 0, row.name);
  });
});
