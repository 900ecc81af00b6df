import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../../src/models/evaluate.js';
import type { Model } from '../../src/models/model.js';
import { KMeansGate, type Gate } from '../../src/strategies/moe/gate.js';
import { MixtureModel } from '../../src/strategies/moe/mixture.js';
import { budgetExpertHidden, trainMixture } from '../../src/strategies/moe/train.js';
import { blobs } from '../helpers/toy-data.js';
import { digits } from './helpers.js';

/** An expert that records how many rows it computed and returns a constant distribution. */
function spy(id: number, e: number): Model & { calls: number; rows: number } {
  const m = {
    kind: 'elm' as const,
    task: 'classification' as const,
    inputDim: 2,
    outputDim: e,
    metrics: {},
    flopsPerRow: 100,
    calls: 0,
    rows: 0,
    predict(_x: Float32Array, rows: number, out?: Float32Array) {
      m.calls++;
      m.rows += rows;
      const o = out ?? new Float32Array(rows * e);
      for (let r = 0; r < rows; r++) for (let c = 0; c < e; c++) o[r * e + c] = c === id ? 1 : 0;
      return o;
    },
    predictRaw(x: Float32Array, rows: number, out?: Float32Array) {
      return m.predict(x, rows, out);
    },
    dispose() {},
  };
  return m;
}

/** A gate that prefers expert (row mod E), then the next ones, with fixed weights. */
function fixedGate(e: number): Gate {
  return {
    kind: 'kmeans',
    experts: e,
    inputDim: 2,
    flopsPerRow: 8,
    weights(_x, rows, out) {
      for (let r = 0; r < rows; r++)
        for (let j = 0; j < e; j++) out[r * e + j] = j === r % e ? 0.5 : j === (r + 1) % e ? 0.3 : 0.2 / (e - 2);
    },
  };
}

describe('MixtureModel', () => {
  it('only the top-k experts run: each row costs k expert evaluations, each expert runs once per batch', () => {
    for (const k of [1, 2]) {
      const e = 4;
      const experts = Array.from({ length: e }, (_, i) => spy(i, e));
      const moe = new MixtureModel(fixedGate(e), experts, k);
      const rows = 10;
      const out = moe.predict(new Float32Array(rows * 2), rows);
      const total = experts.reduce((s, x) => s + x.rows, 0);
      assert.equal(total, rows * k);
      for (const x of experts) assert.ok(x.calls <= 1);
      for (let r = 0; r < rows; r++) {
        const top = r % e;
        if (k === 1) assert.equal(out[r * e + top], 1);
        else {
          assert.ok(Math.abs(out[r * e + top]! - 0.5 / 0.8) < 1e-6);
          assert.ok(Math.abs(out[r * e + ((r + 1) % e)]! - 0.3 / 0.8) < 1e-6);
        }
      }
      const u = moe.usage();
      assert.equal(u.queries, rows);
      assert.equal(u.flops, rows * 8 + rows * k * 100);
      assert.equal(moe.flopsPerRow, 8 + k * 100);
    }
  });

  it('rejects a top-k outside 1..E and a gate/expert count mismatch', () => {
    const experts = [spy(0, 2), spy(1, 2)];
    assert.throws(() => new MixtureModel(fixedGate(2), experts, 3), /top-k/);
    assert.throws(() => new MixtureModel(fixedGate(3), experts, 1), /experts/);
  });

  it('k-means gate: the top weight is the nearest centroid (standardisation folded in)', () => {
    const g = new KMeansGate({
      standardizer: { mean: Float32Array.from([1, 1]), scale: Float32Array.from([2, 2]) },
      centroids: Float32Array.from([0, 0, 4, 4]),
      experts: 2,
      temperature: 1,
    });
    const w = new Float32Array(4);
    g.weights(Float32Array.from([1, 1, 3, 3]), 2, w); // z = (0,0) and (4,4)
    assert.ok(w[0]! > 0.99 && w[3]! > 0.99);
    assert.ok(Math.abs(w[0]! + w[1]! - 1) < 1e-6);
  });

  it('trains on blobs: k-means and ELM gates, top-1 and top-2, accurate; experts see their partitions', () => {
    const data = blobs(1200, 5, 4, 11);
    for (const gate of ['kmeans', 'elm'] as const) {
      for (const topK of [1, 2]) {
        const moe = trainMixture(data, { experts: 3, hidden: 24, topK, gate, gateHidden: 16 });
        assert.ok(evaluate(moe, data).accuracy! > 0.95, `${gate} top-${topK}`);
        const u = moe.usage();
        assert.equal(
          u.members.reduce((s, m) => s + m.rows, 0),
          data.rows * topK,
        );
      }
    }
  });

  it('digits: compute per row is the gate plus k/E of the experts', async () => {
    const { train, test } = await digits();
    const moe = trainMixture(train, { experts: 4, hidden: 64, topK: 1 });
    const expert = moe.experts[0]!.flopsPerRow;
    assert.equal(moe.flopsPerRow, moe.gate.flopsPerRow + expert);
    assert.ok(evaluate(moe, test).accuracy! > 0.85);
  });
});

describe('budgetExpertHidden', () => {
  it('pays for the gate with expert units so gate + top-k experts ≤ k/E of the dense model', () => {
    const d = 784,
      m = 10,
      dense = d * 4096 + 4096 * m;
    for (const k of [1, 2]) {
      const le = budgetExpertHidden(4096, 4, k, d, m, 4 * d);
      assert.ok(4 * d + k * le * (d + m) <= (k * dense) / 4, `k=${k}`);
      assert.ok(4 * d + k * (le + 1) * (d + m) > (k * dense) / 4, `k=${k} is the largest`);
    }
    assert.equal(budgetExpertHidden(4096, 4, 1, d, m, 4 * d), 1020);
  });
});
