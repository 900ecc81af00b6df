import { ElmError } from '../../core/errors.js';
import { isDatatype, readBinaryData, readJsonData } from './datatypes.js';
import type { ModelIO } from './model-io.js';
import type { Parameters } from './types.js';

export type NonFinitePolicy = 'reject' | 'allow';

export interface OutputRequest {
  name: string;
  /** classification extension: return the top-N entries as "<value>:<index>[:<label>]" strings. */
  classification?: number;
  binary: boolean;
}

/** A validated inference request: one float32 row-major matrix plus what to return. */
export interface ParsedInfer {
  id?: string;
  x: Float32Array;
  rows: number;
  outputs: OutputRequest[];
  /** schedule_policy: per-request timeout in microseconds. */
  timeoutUs?: number;
  parameters?: Parameters;
}

export interface ParseOptions {
  nonFinite?: NonFinitePolicy;
  /** Largest batch (rows) a single request may carry. */
  maxRows?: number;
}

function bad(message: string, details?: Record<string, unknown>): ElmError {
  return new ElmError('ELM_ERR_BAD_REQUEST', message, details);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readParameters(v: unknown, where: string): Parameters | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) throw bad(`${where}.parameters must be an object`);
  return v as Parameters;
}

/**
 * Validate an OIP v2 inference request against a model's tensors and decode its input to float32.
 * `binary` is the bytes after the JSON header (binary_tensor_data extension), if any.
 */
export function parseInferRequest(
  body: unknown,
  io: ModelIO,
  binary?: Uint8Array,
  opts: ParseOptions = {},
): ParsedInfer {
  if (!isObject(body)) throw bad('the request body must be a JSON object');
  const { id, inputs, outputs } = body;
  if (id !== undefined && typeof id !== 'string') throw bad('"id" must be a string');
  const params = readParameters(body.parameters, 'request');
  if (!Array.isArray(inputs) || inputs.length === 0) throw bad('"inputs" must be a non-empty array');
  let binOffset = 0;
  let parsed: { x: Float32Array; rows: number } | undefined;
  for (const inp of inputs) {
    if (!isObject(inp)) throw bad('each input must be an object');
    const name = inp.name;
    if (typeof name !== 'string') throw bad('input "name" must be a string');
    if (name !== io.input.name) throw bad(`unknown input "${name}" (the model takes "${io.input.name}")`);
    if (parsed) throw bad(`input "${name}" is given twice`);
    const ip = readParameters(inp.parameters, `input "${name}"`);
    const { datatype, shape } = inp;
    if (!isDatatype(datatype)) throw bad(`input "${name}": unknown datatype ${JSON.stringify(datatype)}`);
    const rows = rowsOf(name, shape, io.inputDim, opts.maxRows);
    const x = new Float32Array(rows * io.inputDim);
    const binSize = ip?.binary_data_size;
    if (binSize !== undefined) {
      if (typeof binSize !== 'number' || !Number.isInteger(binSize) || binSize < 0) {
        throw bad(`input "${name}": binary_data_size must be a non-negative integer`);
      }
      if (!binary || binOffset + binSize > binary.length) {
        throw bad(`input "${name}": binary_data_size ${binSize} exceeds the binary payload`);
      }
      if (inp.data !== undefined) throw bad(`input "${name}": give either data or binary_data_size, not both`);
      readBinaryData(name, datatype, binary.subarray(binOffset, binOffset + binSize), x);
      binOffset += binSize;
    } else {
      if (inp.data === undefined) throw bad(`input "${name}": "data" is required`);
      readJsonData(name, datatype, inp.data, x);
    }
    if ((opts.nonFinite ?? 'reject') === 'reject') {
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        if (v - v !== 0) {
          throw new ElmError('ELM_ERR_NON_FINITE', `input "${name}": element ${i} is not finite (${v})`, { index: i });
        }
      }
    }
    parsed = { x, rows };
  }
  if (binary && binOffset !== binary.length) {
    throw bad(`binary payload has ${binary.length} bytes but the inputs declare ${binOffset}`);
  }
  const binaryDefault = params?.binary_data_output === true;
  const out: ParsedInfer = { x: parsed!.x, rows: parsed!.rows, outputs: parseOutputs(outputs, io, binaryDefault) };
  if (id !== undefined) out.id = id;
  if (params) {
    out.parameters = params;
    const t = params.timeout;
    if (t !== undefined) {
      if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) throw bad('parameter "timeout" must be µs ≥ 0');
      if (t > 0) out.timeoutUs = t;
    }
  }
  return out;
}

function rowsOf(name: string, shape: unknown, d: number, maxRows?: number): number {
  if (!Array.isArray(shape) || shape.length === 0 || shape.length > 8) {
    throw bad(`input "${name}": shape must be an array of 1 to 8 dimensions`);
  }
  let total = 1;
  for (const s of shape) {
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 0) {
      throw bad(`input "${name}": shape ${JSON.stringify(shape)} must hold non-negative integers`);
    }
    total *= s;
  }
  // [d] is one row; [rows, ...] with trailing dims multiplying to d is a batch (e.g. [n, 28, 28] for d = 784).
  let rows: number;
  if (shape.length === 1) {
    if (shape[0] !== d) throw bad(`input "${name}": shape [${shape[0]}] does not match the model's ${d} features`);
    rows = 1;
  } else {
    const rest = total / (shape[0] as number);
    if (shape[0] === 0 || rest !== d) {
      throw bad(`input "${name}": shape ${JSON.stringify(shape)} does not match [-1, ${d}]`, { expected: [-1, d] });
    }
    rows = shape[0] as number;
  }
  if (maxRows !== undefined && rows > maxRows) {
    throw bad(`input "${name}": ${rows} rows exceed the per-request limit of ${maxRows}`);
  }
  return rows;
}

function parseOutputs(outputs: unknown, io: ModelIO, binaryDefault: boolean): OutputRequest[] {
  if (outputs === undefined)
    return io.outputs.map((o) => ({ name: o.name, binary: binaryDefault && o.datatype !== 'BYTES' }));
  if (!Array.isArray(outputs)) throw bad('"outputs" must be an array');
  const seen = new Set<string>();
  return outputs.map((o) => {
    if (!isObject(o) || typeof o.name !== 'string') throw bad('each requested output needs a string "name"');
    const meta = io.outputs.find((t) => t.name === o.name);
    if (!meta) throw bad(`unknown output "${o.name}" (outputs: ${io.outputs.map((t) => t.name).join(', ')})`);
    if (seen.has(o.name)) throw bad(`output "${o.name}" is requested twice`);
    seen.add(o.name);
    const p = readParameters(o.parameters, `output "${o.name}"`);
    const r: OutputRequest = { name: o.name, binary: binaryDefault };
    if (p?.binary_data !== undefined) r.binary = p.binary_data === true;
    const c = p?.classification;
    if (c !== undefined) {
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 1) {
        throw bad(`output "${o.name}": classification must be a positive integer`);
      }
      if (meta.datatype !== 'FP32') throw bad(`output "${o.name}": classification applies to FP32 outputs only`);
      r.classification = Math.min(c, io.outputDim);
    }
    if (meta.datatype === 'BYTES' || r.classification !== undefined) {
      // BYTES travel as JSON strings unless binary was asked for explicitly.
      r.binary = p?.binary_data === true;
    }
    return r;
  });
}
