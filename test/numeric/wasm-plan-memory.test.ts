import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadWasmModule } from '../../src/adapters/node/wasm-loader.js';
import { createWasmBackend, createWasmContext } from '../../src/numeric/wasm/backend.js';
import { randomF32 } from '../helpers/random.js';

describe('wasm dense plan memory', () => {
  it('dispose() returns everything every kernel path allocated (W copies, packed W, scratch)', () => {
    const ctx = createWasmContext(loadWasmModule('simd'));
    const be = createWasmBackend(ctx, { warmup: false });
    // W (300×512 floats = 614 KB) does not fit the L2 rule, so 64 sparse rows take the tiled kernel, 8 sparse rows
    // the row kernel and 8 dense rows the packed GEMM.
    const d = 300,
      l = 500,
      m = 7;
    const w = randomF32(d * l, 1, -0.3, 0.3);
    const b = randomF32(l, 2);
    const beta = randomF32(l * m, 3);
    const cycle = (): number => {
      const plan = be.planDense(d, l, m, w, b, 'tanh', beta);
      for (const [rows, density] of [
        [1, 1],
        [8, 0.1],
        [64, 0.1],
        [8, 1],
      ] as const) {
        const x = randomF32(rows * d, rows, -1, 1);
        const keep = randomF32(rows * d, rows + 1, 0, 1);
        for (let i = 0; i < x.length; i++) if (keep[i]! >= density) x[i] = 0;
        plan.run(rows, x, new Float32Array(rows * m));
      }
      plan.dispose();
      return ctx.heap.highWater;
    };
    const first = cycle();
    for (let i = 0; i < 3; i++) assert.equal(cycle(), first, `cycle ${i + 2} grew the heap`);
  });
});
