import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { createNodeBackendRegistry, nodeBackend, selectBackend } from '../../src/adapters/node/backends.js';
import { isElmError } from '../../src/core/errors.js';
import { loadDigits } from '../../src/adapters/node/data-files.js';
import { ELM } from '../../src/models/elm.js';
import { evaluate } from '../../src/models/evaluate.js';
import { createJsBackend } from '../../src/numeric/js/index.js';

describe('node backend registry', () => {
  it('prefers wasm-threads (multi-core), then wasm, then js; names can be forced', () => {
    const reg = createNodeBackendRegistry();
    const expected = availableParallelism() > 1 ? ['wasm-threads', 'wasm', 'js'] : ['wasm', 'js'];
    assert.deepEqual(reg.names(), expected);
    assert.equal(reg.get().name, expected[0]);
    assert.equal(reg.get('js').name, 'js');
    assert.equal(reg.get('wasm').name, 'wasm');
  });

  it('selectBackend: best for the purpose, ELMSCALE_BACKEND honoured, a name forced, one instance per process', async () => {
    const saved = process.env.ELMSCALE_BACKEND;
    try {
      delete process.env.ELMSCALE_BACKEND;
      const best = availableParallelism() > 1 ? 'wasm-threads' : 'wasm';
      assert.equal((await selectBackend()).name, best);
      assert.equal(await nodeBackend(), await selectBackend());
      assert.equal((await selectBackend({ purpose: 'serving' })).name, 'wasm');
      assert.equal((await selectBackend({ name: 'js', purpose: 'serving' })).name, 'js');
      assert.equal((await selectBackend({ name: 'wasm-threads', threads: 2 })).name, 'wasm-threads');
      assert.equal(await selectBackend({ purpose: 'serving' }), await selectBackend({ name: 'wasm' }));
      process.env.ELMSCALE_BACKEND = 'js';
      assert.equal((await selectBackend()).name, 'js');
      assert.equal((await selectBackend({ purpose: 'serving' })).name, 'js');
      assert.equal((await selectBackend({ name: 'wasm' })).name, 'wasm', 'an explicit name wins over the variable');
      process.env.ELMSCALE_BACKEND = 'nope';
      await assert.rejects(selectBackend(), (e: unknown) => isElmError(e, 'ELM_ERR_BACKEND_UNAVAILABLE'));
    } finally {
      if (saved === undefined) delete process.env.ELMSCALE_BACKEND;
      else process.env.ELMSCALE_BACKEND = saved;
    }
  });

  it('an ELM trained on wasm predicts like one trained on js (digits, L=256)', async () => {
    const train = await loadDigits('train');
    const test = await loadDigits('test');
    const wasm = createNodeBackendRegistry().get('wasm');
    const a = ELM.fit(train, { hidden: 256 }, { backend: createJsBackend() });
    const b = ELM.fit(train, { hidden: 256 }, { backend: wasm });
    const pa = a.predict(test.x, test.rows);
    const pb = b.predict(test.x, test.rows);
    let worst = 0;
    for (let i = 0; i < pa.length; i++) worst = Math.max(worst, Math.abs(pa[i]! - pb[i]!));
    assert.ok(worst < 1e-3, `max probability difference ${worst}`);
    const accA = evaluate(a, test).accuracy!;
    const accB = evaluate(b, test).accuracy!;
    assert.ok(Math.abs(accA - accB) <= 1 / test.rows + 1e-9, `accuracy js ${accA} wasm ${accB}`);
    // single-row predictions (the resident plan's row path) agree with the batched ones
    const one = new Float32Array(b.outputDim);
    for (let r = 0; r < 20; r++) {
      b.predict(test.x.subarray(r * test.cols, (r + 1) * test.cols), 1, one);
      for (let j = 0; j < b.outputDim; j++) assert.ok(Math.abs(one[j]! - pb[r * b.outputDim + j]!) < 1e-5);
    }
    a.dispose();
    b.dispose();
  });
});
