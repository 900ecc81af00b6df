import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModelCodecs } from '../../src/models/artifact/codecs.js';
import { FORMAT_VERSION, decodeContainer, encodeContainer } from '../../src/models/artifact/container.js';
import { ELM } from '../../src/models/elm.js';
import { OnlineELM } from '../../src/models/os-elm.js';
import { KernelELM } from '../../src/models/kernel-elm.js';
import { isElmError, type ErrorCode } from '../../src/core/errors.js';
import { Xoshiro128 } from '../../src/core/prng.js';
import type { Model } from '../../src/models/model.js';
import { blobs, sliceRows } from '../helpers/toy-data.js';

const codecs = new ModelCodecs();
const data = blobs(300, 6, 3, 2);

function samePredictions(a: Model, b: Model): void {
  assert.deepEqual(b.predict(data.x, 50), a.predict(data.x, 50));
}

function codeOf(fn: () => unknown): ErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (e) {
    assert.ok(isElmError(e), `expected an ElmError, got ${String(e)}`);
    return e.code;
  }
}

describe('.elm artifacts', () => {
  it('round-trips an ELM bit-exactly; hidden weights come from the seed unless stored', () => {
    const m = ELM.fit(data, { hidden: 64, seed: 9 });
    const small = codecs.encode(m);
    const loaded = codecs.decode(small);
    samePredictions(m, loaded.model);
    assert.equal(loaded.model.kind, 'elm');
    assert.deepEqual(loaded.model.labels, ['c0', 'c1', 'c2']);
    assert.equal(loaded.header.task, 'classification');
    const big = codecs.encode(m, { storeHiddenWeights: true });
    assert.ok(big.length > small.length + 6 * 64 * 4, 'stored weights are in the file');
    samePredictions(m, codecs.decode(big).model);
    assert.ok(small.length < 64 * 3 * 4 + 2048, `artifact is small: ${small.length} bytes`);
  });

  it('content hash is the SHA-256 of the bytes: same bytes same hash, any change a new hash', () => {
    const m = ELM.fit(data, { hidden: 16 });
    const a = codecs.encode(m, { createdAt: '2026-01-01T00:00:00Z' });
    const b = codecs.encode(m, { createdAt: '2026-01-01T00:00:00Z' });
    const c = codecs.encode(m, { createdAt: '2026-01-02T00:00:00Z' });
    assert.deepEqual(a, b);
    assert.equal(codecs.decode(a).contentHash, codecs.decode(b).contentHash);
    assert.notEqual(codecs.decode(a).contentHash, codecs.decode(c).contentHash);
    assert.match(codecs.decode(a).contentHash, /^[0-9a-f]{64}$/);
  });

  it('round-trips OS-ELM state so training can resume identically', () => {
    const os = OnlineELM.fit(sliceRows(data, 0, 100), { hidden: 20 });
    const restored = codecs.decode(codecs.encode(os)).model as OnlineELM;
    assert.equal(restored.kind, 'os-elm');
    os.partialFit(sliceRows(data, 100, 200));
    restored.partialFit(sliceRows(data, 100, 200));
    assert.deepEqual(restored.beta64, os.beta64);
    const noState = codecs.decode(codecs.encode(os, { includeState: false })).model;
    assert.equal(noState.kind, 'elm');
    samePredictions(os, noState);
  });

  it('round-trips a kernel ELM', () => {
    const k = KernelELM.fit(data, { landmarks: 40 });
    samePredictions(k, codecs.decode(codecs.encode(k)).model);
  });

  it('accepts a Node Buffer view into a larger pooled ArrayBuffer', () => {
    const bytes = codecs.encode(ELM.fit(data, { hidden: 8 }));
    const pool = new Uint8Array(bytes.length + 13);
    pool.set(bytes, 5);
    const view = pool.subarray(5, 5 + bytes.length);
    samePredictions(codecs.decode(bytes).model, codecs.decode(view).model);
  });

  it('every truncation fails with a coded error, never a crash or a model', () => {
    const bytes = codecs.encode(ELM.fit(data, { hidden: 8 }));
    for (let n = 0; n < bytes.length; n += n < 40 ? 1 : 37) {
      const code = codeOf(() => codecs.decode(bytes.subarray(0, n)));
      assert.ok(['ELM_ERR_ARTIFACT_MAGIC', 'ELM_ERR_ARTIFACT_TRUNCATED'].includes(code), `cut at ${n}: ${code}`);
    }
  });

  it('any flipped byte is detected (checksum, magic, version or header), never a wrong model', () => {
    const bytes = codecs.encode(ELM.fit(data, { hidden: 8 }));
    const r = new Xoshiro128(1);
    for (let i = 0; i < 300; i++) {
      const copy = bytes.slice();
      const at = i < 20 ? i : r.int(bytes.length);
      copy[at] = copy[at]! ^ (1 + r.int(255));
      const code = codeOf(() => codecs.decode(copy));
      assert.notEqual(code, 'none', `flip at ${at} went unnoticed`);
      assert.match(code, /^ELM_ERR_ARTIFACT_/);
    }
  });

  it('foreign files, newer versions, unknown kinds and inconsistent headers are refused with their codes', () => {
    assert.equal(
      codeOf(() => codecs.decode(new TextEncoder().encode('{"hello": "json"}'))),
      'ELM_ERR_ARTIFACT_MAGIC',
    );
    assert.equal(
      codeOf(() => codecs.decode(new Uint8Array(0))),
      'ELM_ERR_ARTIFACT_MAGIC',
    );
    const bytes = encodeContainer({ kind: 'elm' }, {});
    const newer = bytes.slice();
    new DataView(newer.buffer).setUint32(8, FORMAT_VERSION + 1, true);
    assert.equal(
      codeOf(() => decodeContainer(newer)),
      'ELM_ERR_ARTIFACT_VERSION',
    );
    assert.equal(
      codeOf(() => codecs.decode(encodeContainer({ kind: 'mystery' }, {}))),
      'ELM_ERR_ARTIFACT_HEADER',
    );
    // A well-formed container whose arrays disagree with its dimensions.
    const liar = encodeContainer(
      { kind: 'elm', task: 'classification', inputDim: 6, outputDim: 3, config: { hidden: 8 } },
      {
        mean: { data: new Float32Array(6), shape: [6] },
        scale: { data: new Float32Array(6), shape: [6] },
        beta: { data: new Float32Array(5), shape: [5] },
      },
    );
    assert.equal(
      codeOf(() => codecs.decode(liar)),
      'ELM_ERR_ARTIFACT_HEADER',
    );
  });
});
