import type { ModelIO } from './model-io.js';
import type { OutputRequest, ParsedInfer } from './request.js';
import type { Datatype, InferenceResponseBody, ResponseOutput } from './types.js';

/** A response ready for the wire: the JSON part plus binary blobs (binary_tensor_data) in output order. */
export interface ShapedResponse {
  body: InferenceResponseBody;
  binary: Uint8Array[];
}

/**
 * Shape model outputs (rows×m float32: probabilities or predictions) into the requested OIP outputs.
 * Pure; `preds` is not retained.
 */
export function shapeResponse(
  modelName: string,
  version: string,
  req: ParsedInfer,
  preds: Float32Array,
  io: ModelIO,
): ShapedResponse {
  const rows = req.rows,
    m = io.outputDim;
  const outputs: ResponseOutput[] = [];
  const binary: Uint8Array[] = [];
  for (const o of req.outputs) {
    const { head, values } = shapeOne(o, preds, rows, m, io);
    if (o.binary) {
      const bytes = toBytes(head.datatype, values);
      binary.push(bytes);
      head.parameters = { binary_data_size: bytes.length };
    } else head.data = values instanceof Float32Array ? Array.from(values) : values;
    outputs.push(head);
  }
  const body: InferenceResponseBody = { model_name: modelName, model_version: version, outputs };
  if (req.id !== undefined) body.id = req.id;
  return { body, binary };
}

function argmax(preds: Float32Array, r: number, m: number): number {
  let best = 0;
  const o = r * m;
  for (let j = 1; j < m; j++) if (preds[o + j]! > preds[o + best]!) best = j;
  return best;
}

/** An output's header and its values: float32 (FP32), numbers (INT64) or strings (BYTES). */
interface Shaped {
  head: ResponseOutput;
  values: Float32Array | number[] | string[];
}

function shapeOne(o: OutputRequest, preds: Float32Array, rows: number, m: number, io: ModelIO): Shaped {
  if (o.classification !== undefined) {
    const n = o.classification;
    const data: string[] = [];
    const order = new Array<number>(m);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < m; j++) order[j] = j;
      order.sort((a, b) => preds[r * m + b]! - preds[r * m + a]! || a - b);
      for (let k = 0; k < n; k++) {
        const j = order[k]!;
        const label = io.labels?.[j];
        data.push(label === undefined ? `${preds[r * m + j]}:${j}` : `${preds[r * m + j]}:${j}:${label}`);
      }
    }
    return { head: { name: o.name, datatype: 'BYTES', shape: [rows, n] }, values: data };
  }
  switch (o.name) {
    case 'class': {
      const data = new Array<number>(rows);
      for (let r = 0; r < rows; r++) data[r] = argmax(preds, r, m);
      return { head: { name: o.name, datatype: 'INT64', shape: [rows] }, values: data };
    }
    case 'label': {
      const data = new Array<string>(rows);
      for (let r = 0; r < rows; r++) {
        const j = argmax(preds, r, m);
        data[r] = io.labels?.[j] ?? String(j);
      }
      return { head: { name: o.name, datatype: 'BYTES', shape: [rows] }, values: data };
    }
    default:
      // probabilities / predictions: the whole rows×m matrix.
      return { head: { name: o.name, datatype: 'FP32', shape: [rows, m] }, values: preds.subarray(0, rows * m) };
  }
}

const encoder = new TextEncoder();

/** Little-endian bytes of an output's values (FP32, INT64, or BYTES with 4-byte length prefixes). */
function toBytes(datatype: Datatype, values: Shaped['values']): Uint8Array {
  if (values instanceof Float32Array) return new Uint8Array(values.slice().buffer);
  if (datatype === 'INT64') return new Uint8Array(BigInt64Array.from(values as number[], (v) => BigInt(v)).buffer);
  const parts = (values as string[]).map((s) => encoder.encode(s));
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
  const dv = new DataView(out.buffer);
  let off = 0;
  for (const p of parts) {
    dv.setUint32(off, p.length, true);
    out.set(p, off + 4);
    off += 4 + p.length;
  }
  return out;
}
