import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isElmError } from '../../src/core/errors.js';
import { floatToHalf, halfToFloat } from '../../src/serving/protocol/datatypes.js';
import { modelIO, type ModelIO } from '../../src/serving/protocol/model-io.js';
import { parseInferJson } from '../../src/serving/protocol/fast-json.js';
import { parseInferRequest } from '../../src/serving/protocol/request.js';
import type { Json } from './helpers.js';
import { shapeResponse } from '../../src/serving/protocol/response.js';
import { httpStatusFor } from '../../src/serving/protocol/status.js';
import { ERROR_CODES, type ErrorCode } from '../../src/core/errors.js';

const io: ModelIO = {
  input: { name: 'input', datatype: 'FP32', shape: [-1, 4] },
  outputs: [
    { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
    { name: 'class', datatype: 'INT64', shape: [-1] },
    { name: 'label', datatype: 'BYTES', shape: [-1] },
  ],
  inputDim: 4,
  outputDim: 3,
  task: 'classification',
  labels: ['a', 'b', 'c'],
};

const req = (input: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8], ...input }],
  ...extra,
});

function throwsCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (e: unknown) => isElmError(e, code));
}

describe('OIP request parsing', () => {
  it('accepts flat and nested data with identical results, and echoes the id', () => {
    const a = parseInferRequest(req({}, { id: '42' }), io);
    const b = parseInferRequest(
      req({
        data: [
          [1, 2, 3, 4],
          [5, 6, 7, 8],
        ],
      }),
      io,
    );
    assert.deepEqual(Array.from(a.x), Array.from(b.x));
    assert.equal(a.rows, 2);
    assert.equal(a.id, '42');
    assert.deepEqual(
      a.outputs.map((o) => o.name),
      ['probabilities', 'class', 'label'],
    );
  });

  it('accepts every numeric datatype and BOOL, a single-row [d] shape and trailing dims', () => {
    for (const dt of ['FP64', 'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']) {
      assert.deepEqual(Array.from(parseInferRequest(req({ datatype: dt }), io).x), [1, 2, 3, 4, 5, 6, 7, 8]);
    }
    const b = parseInferRequest(req({ datatype: 'BOOL', shape: [4], data: [true, false, true, true] }), io);
    assert.deepEqual(Array.from(b.x), [1, 0, 1, 1]);
    assert.equal(parseInferRequest(req({ shape: [2, 2, 2] }), io).rows, 2);
  });

  it('rejects bad shapes, counts, datatypes, names and values with ELM_ERR_BAD_REQUEST', () => {
    throwsCode(() => parseInferRequest(req({ shape: [3, 4] }), io), 'ELM_ERR_BAD_REQUEST');
    throwsCode(() => parseInferRequest(req({ shape: [2, 5] }), io), 'ELM_ERR_BAD_REQUEST');
    throwsCode(() => parseInferRequest(req({ data: [1, 2, 3] }), io), 'ELM_ERR_BAD_REQUEST');
    throwsCode(() => parseInferRequest(req({ datatype: 'FP16' }), io), 'ELM_ERR_BAD_REQUEST');
    throwsCode(() => parseInferRequest(req({ datatype: 'BYTES' }), io), 'ELM_ERR_BAD_REQUEST');
    throwsCode(() => parseInferRequest(req({ datatype: 'FLOAT' }), io), 'ELM_ERR_BAD_REQUEST');
    throwsCode(
      () => parseInferRequest(req({ datatype: 'UINT8', data: [1, 2, 3, 4, 5, 6, 7, 256] }), io),
      'ELM_ERR_BAD_REQUEST',
    );
    throwsCode(
      () => parseInferRequest(req({ datatype: 'INT32', data: [1, 2, 3, 4, 5, 6, 7, 1.5] }), io),
      'ELM_ERR_BAD_REQUEST',
    );
    throwsCode(() => parseInferRequest(req({ data: [1, 2, 3, 4, 5, 6, 7, '8'] }), io), 'ELM_ERR_BAD_REQUEST');
    throwsCode(() => parseInferRequest(req({ name: 'x' }), io), 'ELM_ERR_BAD_REQUEST');
    throwsCode(() => parseInferRequest({ inputs: [] }, io), 'ELM_ERR_BAD_REQUEST');
    throwsCode(() => parseInferRequest(null, io), 'ELM_ERR_BAD_REQUEST');
    throwsCode(() => parseInferRequest(req({}, { outputs: [{ name: 'nope' }] }), io), 'ELM_ERR_BAD_REQUEST');
    throwsCode(() => parseInferRequest(req({}, { id: 7 }), io), 'ELM_ERR_BAD_REQUEST');
    throwsCode(() => parseInferRequest(req({ data: [1, 2, 3, 4, 5, 6, 7, 1e400] }), io), 'ELM_ERR_NON_FINITE');
    assert.equal(
      parseInferRequest(req({ data: [1, 2, 3, 4, 5, 6, 7, 1e400] }), io, undefined, { nonFinite: 'allow' }).rows,
      2,
    );
    throwsCode(() => parseInferRequest(req({}), io, undefined, { maxRows: 1 }), 'ELM_ERR_BAD_REQUEST');
    let deep: unknown = [1];
    for (let i = 0; i < 10000; i++) deep = [deep];
    throwsCode(() => parseInferRequest(req({ data: deep }), io), 'ELM_ERR_BAD_REQUEST');
  });

  it('reads binary tensor data (FP32, FP16, INT64) and checks its size', () => {
    const f = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const bin = new Uint8Array(f.buffer);
    const p = parseInferRequest(req({ data: undefined, parameters: { binary_data_size: 32 } }), io, bin);
    assert.deepEqual(Array.from(p.x), Array.from(f));
    const h = new Uint16Array(Array.from(f, floatToHalf));
    const p16 = parseInferRequest(
      req({ datatype: 'FP16', data: undefined, parameters: { binary_data_size: 16 } }),
      io,
      new Uint8Array(h.buffer),
    );
    assert.deepEqual(Array.from(p16.x), Array.from(f));
    const i64 = new BigInt64Array([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    const p64 = parseInferRequest(
      req({ datatype: 'INT64', data: undefined, parameters: { binary_data_size: 64 } }),
      io,
      new Uint8Array(i64.buffer),
    );
    assert.deepEqual(Array.from(p64.x), Array.from(f));
    throwsCode(
      () => parseInferRequest(req({ data: undefined, parameters: { binary_data_size: 31 } }), io, bin),
      'ELM_ERR_BAD_REQUEST',
    );
    throwsCode(
      () => parseInferRequest(req({ data: undefined, parameters: { binary_data_size: 64 } }), io, bin),
      'ELM_ERR_BAD_REQUEST',
    );
  });

  it('parses timeout (µs), output selection and classification', () => {
    const p = parseInferRequest(
      req(
        {},
        { parameters: { timeout: 5000 }, outputs: [{ name: 'probabilities', parameters: { classification: 2 } }] },
      ),
      io,
    );
    assert.equal(p.timeoutUs, 5000);
    assert.deepEqual(p.outputs, [{ name: 'probabilities', binary: false, classification: 2 }]);
    throwsCode(() => parseInferRequest(req({}, { parameters: { timeout: 'soon' } }), io), 'ELM_ERR_BAD_REQUEST');
    throwsCode(
      () => parseInferRequest(req({}, { outputs: [{ name: 'class', parameters: { classification: 2 } }] }), io),
      'ELM_ERR_BAD_REQUEST',
    );
  });
});

describe('OIP response shaping', () => {
  const preds = new Float32Array([0.1, 0.7, 0.2, 0.5, 0.2, 0.3]);
  it('returns all outputs by default, the class index and label', () => {
    const p = parseInferRequest(req({}, { id: 'r1' }), io);
    const { body, binary } = shapeResponse('m', '3', p, preds, io);
    assert.equal(binary.length, 0);
    assert.equal(body.id, 'r1');
    assert.equal(body.model_version, '3');
    assert.deepEqual(body.outputs[1], { name: 'class', datatype: 'INT64', shape: [2], data: [1, 0] });
    assert.deepEqual(body.outputs[2]!.data, ['b', 'a']);
    assert.deepEqual(body.outputs[0]!.shape, [2, 3]);
  });
  it('classification extension returns top-N "value:index:label" strings', () => {
    const p = parseInferRequest(
      req({}, { outputs: [{ name: 'probabilities', parameters: { classification: 2 } }] }),
      io,
    );
    const { body } = shapeResponse('m', '1', p, preds, io);
    const out = body.outputs[0]!;
    assert.equal(out.datatype, 'BYTES');
    assert.deepEqual(out.shape, [2, 2]);
    assert.match((out.data as string[])[0]!, /^0\.69\d*:1:b$/);
    assert.match((out.data as string[])[3]!, /^0\.3\d*:2:c$/);
  });
  it('binary outputs carry binary_data_size and little-endian bytes', () => {
    const p = parseInferRequest(
      req({}, { parameters: { binary_data_output: true }, outputs: [{ name: 'probabilities' }] }),
      io,
    );
    const { body, binary } = shapeResponse('m', '1', p, preds, io);
    assert.equal(body.outputs[0]!.parameters!.binary_data_size, 24);
    assert.equal(body.outputs[0]!.data, undefined);
    assert.deepEqual(Array.from(new Float32Array(binary[0]!.slice().buffer)), Array.from(preds));
  });
});

describe('protocol helpers', () => {
  it('half floats round-trip', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 1e-5, -0.333])
      assert.ok(Math.abs(halfToFloat(floatToHalf(v)) - v) <= Math.abs(v) * 1e-3 + 1e-7);
  });
  it('every error code maps to an HTTP status', () => {
    for (const c of Object.keys(ERROR_CODES) as ErrorCode[]) assert.ok(httpStatusFor(c) >= 400);
    assert.equal(httpStatusFor('ELM_ERR_OVERLOADED'), 503);
    assert.equal(httpStatusFor('ELM_ERR_MODEL_NOT_FOUND'), 404);
  });
  it('modelIO describes a regressor with one predictions output', () => {
    const r = modelIO({ kind: 'elm', task: 'regression', inputDim: 3, outputDim: 2 } as never);
    assert.deepEqual(
      r.outputs.map((o) => o.name),
      ['predictions'],
    );
  });
});

describe('parseInferJson (fast numeric data scanner)', () => {
  const enc = new TextEncoder();
  const same = (text: string): void => {
    const fast = parseInferJson(enc.encode(text)) as Json;
    const ref = JSON.parse(text) as Json;
    const norm = (j: Json): Json =>
      JSON.parse(JSON.stringify(j, (_k, v: unknown) => (v instanceof Float64Array ? Array.from(v) : v)));
    assert.deepEqual(norm(fast), norm(ref));
    const d = fast?.inputs?.[0]?.data;
    if (d instanceof Float64Array) {
      const r = ref.inputs[0].data as number[];
      for (let i = 0; i < r.length; i++) assert.ok(Object.is(d[i], r[i]), `${d[i]} vs ${r[i]}`);
    }
  };

  it('decodes flat numeric data exactly as JSON.parse does', () => {
    const nums = [0, -0, 1, -1, 0.1, 0.30000000000000004, 1e-7, 123456789012345, 1234567890123456789, 5e-324, 1.7e308];
    nums.push(...Array.from({ length: 500 }, (_, i) => Math.sin(i) * 10 ** ((i % 40) - 20)));
    const text = `{"id":"x","inputs":[{"name":"input","shape":[1,${nums.length}],"datatype":"FP64","data":[${nums.map(String).join(', ')}]}]}`;
    same(text);
    assert.ok((parseInferJson(enc.encode(text)) as Json).inputs[0].data instanceof Float64Array);
    for (const t of ['0.5', '1E3', '-2.5e-3', '1e999', '00.5', '1.', '.5', '+1', '-', '1e', 'true', '[1]', '"1"']) {
      const body = `{"inputs":[{"name":"input","data":[${t}],"shape":[1]}],"outputs":[{"name":"data","data":[1]}]}`;
      let ok = true;
      try {
        JSON.parse(body);
      } catch {
        ok = false;
      }
      if (ok) same(body);
      else assert.throws(() => parseInferJson(enc.encode(body)), SyntaxError);
    }
  });

  it('agrees with JSON.parse on random doubles (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 50 }), (xs) => {
        same(`{"inputs":[{"name":"input","data":[${xs.map((x) => JSON.stringify(x)).join(',')}]}]}`);
      }),
      { numRuns: 300 },
    );
  });

  it('ignores "data" keys inside strings and elsewhere, and keeps binary tails apart', () => {
    same('{"id":"\\"data\\":[1,2]","inputs":[{"name":"a","data":[1,2]},{"name":"b","data":[3]}]}');
    same('{"parameters":{"data":[9]},"inputs":[{"parameters":{"data":[7]},"data":[[1,2],[3,4]]}]}');
    const bytes = enc.encode('{"inputs":[{"data":[1,2,3]}]}\u0001\u0002');
    const j = parseInferJson(bytes, 0, bytes.length - 2) as Json;
    assert.deepEqual(Array.from(j.inputs[0].data as Float64Array), [1, 2, 3]);
  });

  it('feeds parseInferRequest (range checks and counts still apply)', () => {
    const p = (t: string, dt = 'FP32') =>
      parseInferRequest(
        parseInferJson(enc.encode(`{"inputs":[{"name":"input","shape":[1,4],"datatype":"${dt}","data":[${t}]}]}`)),
        io,
      );
    assert.deepEqual(Array.from(p('1,2,3,4.5').x), [1, 2, 3, 4.5]);
    assert.throws(() => p('1,2,3'), /3 elements/);
    assert.throws(() => p('1,2,3,4,5'), /more elements/);
    assert.throws(() => p('1,2,3,300', 'INT8'), /not a valid INT8/);
    assert.throws(() => p('1,0,1,0', 'BOOL'), /true\/false/);
  });

  it('returns data that later parses do not overwrite (the scanner reuses its scratch space)', () => {
    const body = (vals: number[]) => `{"inputs":[{"name":"a","data":[${vals.join(',')}]},{"name":"b","data":[7,8]}]}`;
    const big = Array.from({ length: 70_000 }, (_, i) => i % 1000);
    const first = parseInferJson(enc.encode(body([1, 2, 3]))) as Json;
    const second = parseInferJson(enc.encode(body(big))) as Json;
    const third = parseInferJson(enc.encode(body([4, 5]))) as Json;
    assert.deepEqual(Array.from(first.inputs[0].data), [1, 2, 3]);
    assert.deepEqual(Array.from(first.inputs[1].data), [7, 8]);
    assert.equal(second.inputs[0].data.length, 70_000);
    assert.equal(second.inputs[0].data[69_999], 999);
    assert.deepEqual(Array.from(third.inputs[0].data), [4, 5]);
    assert.deepEqual(Array.from(first.inputs[0].data), [1, 2, 3]);
  });
});
