/**
 * The kernel conformance suite. Every backend runs exactly these tests (tfjs style): the float64 naive definitions
 * below are the ground truth, checked with a tolerance that scales with the inner dimension. Optional kernels have
 * their own files (conformance-int8.ts); a backend that does not register one reports those tests as skipped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend } from '../../src/numeric/backend.js';
import { OPTIONAL_KERNELS, REQUIRED_KERNELS, mirrorUpper } from '../../src/numeric/backend.js';
import { activationFns } from '../../src/numeric/activations.js';
import { ACTIVATIONS } from '../../src/core/types.js';
import { isElmError } from '../../src/core/errors.js';
import { maxRelErr, randomF32 } from '../helpers/random.js';
import { runInt8PlanConformance } from './conformance-int8.js';

function naiveGemm(tA: boolean, tB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array) {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (tA ? a[p * m + i]! : a[i * k + p]!) * (tB ? b[j * k + p]! : b[p * n + j]!);
      c[i * n + j] = s;
    }
  return c;
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 10, 64],
  [3, 5, 7],
  [17, 33, 9],
  [64, 64, 64],
  [65, 129, 31],
  [2, 1024, 64],
  [130, 67, 257],
];

export function runBackendConformance(makeBackend: () => Backend | Promise<Backend>): void {
  let be: Backend;
  describe('kernel conformance', () => {
    it('loads', async () => {
      be = await makeBackend();
      assert.ok(be.name.length > 0);
    });

    it('registers every required kernel by name, the methods being the registered functions', (t) => {
      for (const k of REQUIRED_KERNELS) {
        assert.ok(be.hasKernel(k), k);
        assert.equal(typeof be.kernel(k), 'function', k);
        assert.equal(be[k], be.kernels[k], `${k}: method and table entry differ`);
      }
      const optional = OPTIONAL_KERNELS.map((k) => `${k}: ${be.hasKernel(k) ? 'registered' : 'not registered'}`);
      t.diagnostic(`${be.name} optional kernels: ${optional.join(', ')}`);
      assert.deepEqual(
        be.kernelNames().filter((k) => !(REQUIRED_KERNELS as readonly string[]).includes(k)),
        OPTIONAL_KERNELS.filter((k) => be.hasKernel(k)),
      );
    });

    for (const tA of [false, true])
      for (const tB of [false, true])
        it(`gemm transA=${tA} transB=${tB} over odd shapes, alpha/beta`, () => {
          let seed = 1;
          for (const [m, n, k] of SHAPES) {
            const a = randomF32(m * k, seed++);
            const b = randomF32(k * n, seed++);
            const c0 = randomF32(m * n, seed++);
            const c = c0.slice();
            be.gemm(tA, tB, m, n, k, 0.5, a, b, 2, c);
            const ref = naiveGemm(tA, tB, m, n, k, a, b);
            for (let i = 0; i < ref.length; i++) ref[i] = 0.5 * ref[i]! + 2 * c0[i]!;
            const tol = 1e-6 * Math.sqrt(k) * 8;
            assert.ok(maxRelErr(c, ref) < tol, `gemm ${m}x${n}x${k} err ${maxRelErr(c, ref)}`);
            // beta = 0 must ignore garbage (even NaN) in C
            const cz = new Float32Array(m * n).fill(NaN);
            be.gemm(tA, tB, m, n, k, 1, a, b, 0, cz);
            const refz = naiveGemm(tA, tB, m, n, k, a, b);
            assert.ok(maxRelErr(cz, refz) < tol, `gemm beta=0 ${m}x${n}x${k}`);
          }
        });

    it('gemv plain and transposed', () => {
      for (const [m, n] of [
        [1, 1],
        [7, 13],
        [64, 1024],
        [1024, 10],
        [33, 5],
      ] as const) {
        const a = randomF32(m * n, m + n);
        const x = randomF32(n, 3);
        const y = new Float32Array(m);
        be.gemv(false, m, n, a, x, y);
        assert.ok(maxRelErr(y, naiveGemm(false, false, m, 1, n, a, x)) < 1e-5);
        const xt = randomF32(m, 4);
        const yt = new Float32Array(n).fill(NaN);
        be.gemv(true, m, n, a, xt, yt);
        assert.ok(maxRelErr(yt, naiveGemm(true, false, n, 1, m, a, xt)) < 1e-5);
      }
    });

    it('gram accumulates HᵀH (upper) across blocks, equals one big block', () => {
      for (const [rows, cols] of [
        [1, 1],
        [5, 3],
        [100, 37],
        [257, 130],
        [64, 256],
      ] as const) {
        const h = randomF32(rows * cols, rows * 7 + cols);
        const g = new Float64Array(cols * cols);
        const half = Math.floor(rows / 2);
        be.gramAccumulate(half, cols, h.subarray(0, half * cols), g);
        be.gramAccumulate(rows - half, cols, h.subarray(half * cols), g);
        mirrorUpper(cols, g);
        const ref = naiveGemm(true, false, cols, cols, rows, h, h);
        assert.ok(maxRelErr(g, ref) < 1e-6 * Math.sqrt(rows) * 8, `gram ${rows}x${cols}`);
      }
    });

    it('cross accumulates HᵀT', () => {
      for (const [rows, cols, m] of [
        [1, 1, 1],
        [50, 17, 3],
        [300, 64, 10],
      ] as const) {
        const h = randomF32(rows * cols, rows);
        const t = randomF32(rows * m, cols);
        const out = new Float64Array(cols * m).fill(1);
        be.crossAccumulate(rows, cols, m, h, t, out);
        const ref = naiveGemm(true, false, cols, m, rows, h, t);
        for (let i = 0; i < ref.length; i++) ref[i] += 1;
        assert.ok(maxRelErr(out, ref) < 1e-5);
      }
    });

    for (const act of ACTIVATIONS)
      it(`hidden layer fuses bias and ${act}`, () => {
        for (const [rows, d, l] of [
          [1, 64, 1024],
          [3, 7, 13],
          [40, 784, 96],
        ] as const) {
          const x = randomF32(rows * d, 11);
          const w = randomF32(d * l, 12, -0.2, 0.2);
          const b = randomF32(l, 13);
          const out = new Float32Array(rows * l);
          be.hidden(rows, d, l, x, w, b, act, out);
          const pre = naiveGemm(false, false, rows, l, d, x, w);
          const f = activationFns[act];
          for (let i = 0; i < pre.length; i++) pre[i] = f(pre[i]! + b[i % l]!);
          assert.ok(maxRelErr(out, pre) < 2e-5, `${act} ${rows}x${d}x${l}: ${maxRelErr(out, pre)}`);
        }
      });

    it('activate matches the scalar definitions', () => {
      const x = randomF32(1000, 5, -6, 6);
      for (const act of ACTIVATIONS) {
        const y = x.slice();
        be.activate(act, y, y.length);
        const ref = Array.from(x, activationFns[act]);
        assert.ok(maxRelErr(y, ref) < 2e-6, act);
      }
    });

    it('dense plan equals hidden then gemm, for 1 and many rows', () => {
      const d = 64,
        l = 200,
        m = 10;
      const w = randomF32(d * l, 21, -0.3, 0.3);
      const b = randomF32(l, 22);
      const beta = randomF32(l * m, 23);
      const plan = be.planDense(d, l, m, w, b, 'tanh', beta);
      for (const rows of [1, 2, 33]) {
        const x = randomF32(rows * d, rows);
        const out = new Float32Array(rows * m);
        plan.run(rows, x, out);
        const h = naiveGemm(false, false, rows, l, d, x, w);
        for (let i = 0; i < h.length; i++) h[i] = Math.tanh(h[i]! + b[i % l]!);
        const ref = naiveGemm(false, false, rows, m, l, Float32Array.from(h), beta);
        assert.ok(maxRelErr(out, ref) < 1e-5, `plan rows=${rows}`);
      }
      plan.dispose();
    });

    it('dense plan gives the same outputs on every kernel path (row, tiled, GEMM), sparse and dense inputs', () => {
      // Shapes chosen so each wasm path runs: W small enough for L2 (tiled from 4 rows), W larger than L2 with few
      // non-zeros (row path) or many rows (tiled), dense batches (GEMM), L not a multiple of the 32-unit tile, and
      // more rows than one kernel call stages (256).
      const cases = [
        { d: 64, l: 200, rows: [1, 3, 4, 9, 300], densities: [0.1, 0.5, 1] },
        { d: 300, l: 500, rows: [8, 64], densities: [0.1, 0.9] },
      ];
      for (const { d, l, rows: rowsList, densities } of cases) {
        const m = 7;
        const w = randomF32(d * l, d, -0.3, 0.3);
        const b = randomF32(l, d + 1);
        const beta = randomF32(l * m, d + 2);
        for (const act of ACTIVATIONS) {
          const plan = be.planDense(d, l, m, w, b, act, beta);
          const f = activationFns[act];
          for (const rows of rowsList)
            for (const density of densities) {
              const x = randomF32(rows * d, rows + d, -1, 1);
              const rnd = randomF32(rows * d, rows * 7 + 1, 0, 1);
              for (let i = 0; i < x.length; i++) if (rnd[i]! >= density) x[i] = 0;
              const out = new Float32Array(rows * m);
              plan.run(rows, x, out);
              const h = naiveGemm(false, false, rows, l, d, x, w);
              for (let i = 0; i < h.length; i++) h[i] = f(h[i]! + b[i % l]!);
              const ref = naiveGemm(false, false, rows, m, l, Float32Array.from(h), beta);
              const err = maxRelErr(out, ref);
              // f32 sums over d inputs (identity leaves them unsquashed): the bound grows like √d.
              assert.ok(err < 4e-6 * Math.sqrt(d), `${act} d=${d} l=${l} rows=${rows} density=${density}: ${err}`);
              // Each row alone (the one-row path) equals its row of the batch.
              const one = new Float32Array(m);
              const r = rows - 1;
              plan.run(1, x.subarray(r * d, (r + 1) * d), one);
              assert.ok(maxRelErr(one, out.subarray(r * m, (r + 1) * m)) < 1e-5, `${act} row ${r} alone`);
            }
          plan.dispose();
        }
      }
    });

    it('cholesky factors an SPD matrix and solves to a small residual', () => {
      for (const n of [1, 2, 9, 64, 200]) {
        const r = randomF32(n * (n + 3), n);
        const a = new Float64Array(n * n);
        // A = RᵀR/cols + I: well conditioned SPD
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < n + 3; p++) s += r[p * n + i]! * r[p * n + j]!;
            a[i * n + j] = s / (n + 3) + (i === j ? 1 : 0);
          }
        const m = 3;
        const bvec = Float64Array.from(randomF32(n * m, 99));
        const f = a.slice();
        be.cholesky(n, f);
        const x = bvec.slice();
        be.choleskySolve(n, m, f, x);
        let worst = 0;
        for (let i = 0; i < n; i++)
          for (let c = 0; c < m; c++) {
            let s = 0;
            for (let j = 0; j < n; j++) s += a[i * n + j]! * x[j * m + c]!;
            worst = Math.max(worst, Math.abs(s - bvec[i * m + c]!));
          }
        assert.ok(worst < 1e-9, `cholesky n=${n} residual ${worst}`);
      }
    });

    it('cholesky rejects a non-positive-definite matrix with a coded error', () => {
      const a = Float64Array.from([1, 2, 2, 1]);
      assert.throws(
        () => be.cholesky(2, a),
        (e: unknown) => isElmError(e, 'ELM_ERR_NOT_POSITIVE_DEFINITE'),
      );
    });

    it('softmax rows sum to one and argmax picks the largest', () => {
      const x = Float32Array.from([1, 2, 3, 1000, 999, -5, 0, 0, 0]);
      const idx = new Int32Array(3);
      be.argmaxRows(3, 3, x, idx);
      assert.deepEqual([...idx], [2, 0, 0]);
      be.softmaxRows(3, 3, x);
      for (let r = 0; r < 3; r++) assert.ok(Math.abs(x[r * 3]! + x[r * 3 + 1]! + x[r * 3 + 2]! - 1) < 1e-6);
      assert.ok(Number.isFinite(x[3]!) && x[3]! > x[4]!);
    });

    runInt8PlanConformance(() => be);
  });
}
