import { ElmError } from '../../core/errors.js';
import type { Datatype } from './types.js';

/** Bytes per element of each fixed-size datatype (BYTES is variable: 0 here). */
export const DATATYPE_SIZE: Readonly<Record<Datatype, number>> = {
  BOOL: 1,
  UINT8: 1,
  UINT16: 2,
  UINT32: 4,
  UINT64: 8,
  INT8: 1,
  INT16: 2,
  INT32: 4,
  INT64: 8,
  FP16: 2,
  FP32: 4,
  FP64: 8,
  BYTES: 0,
};

export function isDatatype(s: unknown): s is Datatype {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DATATYPE_SIZE, s);
}

const INT_RANGE: Partial<Record<Datatype, [number, number]>> = {
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function bad(message: string): ElmError {
  return new ElmError('ELM_ERR_BAD_REQUEST', message);
}

/**
 * Copy JSON tensor data (flat or nested natural form) into `out` as float32, checking element types against the
 * datatype and the element count against out.length. Iterative, so deeply nested garbage cannot overflow the stack.
 */
export function readJsonData(name: string, datatype: Datatype, data: unknown, out: Float32Array): void {
  if (datatype === 'BYTES') throw bad(`input "${name}": BYTES data is not accepted by numeric models`);
  if (datatype === 'FP16') throw bad(`input "${name}": FP16 has no JSON form; send it with binary_tensor_data`);
  const range = INT_RANGE[datatype];
  const isBool = datatype === 'BOOL';
  if (data instanceof Float64Array) return readDecoded(name, datatype, data, out, range);
  if (!Array.isArray(data)) throw bad(`input "${name}": data must be an array`);
  let n = 0;
  const total = out.length;
  const stack: unknown[][] = [data];
  const idx: number[] = [0];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const i = idx[idx.length - 1]!;
    if (i >= top.length) {
      stack.pop();
      idx.pop();
      continue;
    }
    idx[idx.length - 1] = i + 1;
    const v = top[i];
    if (Array.isArray(v)) {
      if (stack.length > 64) throw bad(`input "${name}": data is nested too deeply`);
      stack.push(v);
      idx.push(0);
      continue;
    }
    if (n >= total) throw bad(`input "${name}": data has more elements than its shape allows (${total})`);
    if (isBool) {
      if (typeof v !== 'boolean') throw bad(`input "${name}": BOOL data must be true/false, got ${typeName(v)}`);
      out[n++] = v ? 1 : 0;
    } else {
      if (typeof v !== 'number') throw bad(`input "${name}": ${datatype} data must be numbers, got ${typeName(v)}`);
      if (range && (!Number.isInteger(v) || v < range[0] || v > range[1])) {
        throw bad(`input "${name}": ${v} is not a valid ${datatype}`);
      }
      out[n++] = v;
    }
  }
  if (n !== total) throw bad(`input "${name}": data has ${n} elements but the shape needs ${total}`);
}

/** A flat numeric data array already decoded from the JSON bytes (protocol/fast-json.ts). */
function readDecoded(
  name: string,
  datatype: Datatype,
  data: Float64Array,
  out: Float32Array,
  range: [number, number] | undefined,
): void {
  const total = out.length;
  if (data.length > total) throw bad(`input "${name}": data has more elements than its shape allows (${total})`);
  if (datatype === 'BOOL' && data.length > 0) {
    throw bad(`input "${name}": BOOL data must be true/false, got number`);
  }
  if (range) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!Number.isInteger(v) || v < range[0] || v > range[1])
        throw bad(`input "${name}": ${v} is not a valid ${datatype}`);
    }
  }
  if (data.length !== total)
    throw bad(`input "${name}": data has ${data.length} elements but the shape needs ${total}`);
  out.set(data);
}

function typeName(v: unknown): string {
  return v === null ? 'null' : typeof v;
}

/** Decode little-endian raw tensor bytes of `datatype` into float32. */
export function readBinaryData(name: string, datatype: Datatype, bytes: Uint8Array, out: Float32Array): void {
  const size = DATATYPE_SIZE[datatype];
  if (datatype === 'BYTES') throw bad(`input "${name}": BYTES data is not accepted by numeric models`);
  if (bytes.length !== out.length * size) {
    throw bad(`input "${name}": binary data has ${bytes.length} bytes, the shape needs ${out.length * size}`);
  }
  const n = out.length;
  if (datatype === 'FP32' && (bytes.byteOffset & 3) === 0) {
    out.set(new Float32Array(bytes.buffer, bytes.byteOffset, n));
    return;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = readOne(dv, datatype, i * size);
}

function readOne(dv: DataView, t: Datatype, o: number): number {
  switch (t) {
    case 'BOOL':
      return dv.getUint8(o) ? 1 : 0;
    case 'UINT8':
      return dv.getUint8(o);
    case 'UINT16':
      return dv.getUint16(o, true);
    case 'UINT32':
      return dv.getUint32(o, true);
    case 'UINT64':
      return Number(dv.getBigUint64(o, true));
    case 'INT8':
      return dv.getInt8(o);
    case 'INT16':
      return dv.getInt16(o, true);
    case 'INT32':
      return dv.getInt32(o, true);
    case 'INT64':
      return Number(dv.getBigInt64(o, true));
    case 'FP16':
      return halfToFloat(dv.getUint16(o, true));
    case 'FP32':
      return dv.getFloat32(o, true);
    case 'FP64':
      return dv.getFloat64(o, true);
    default:
      return NaN;
  }
}

/** IEEE 754 binary16 → number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** number → IEEE 754 binary16 bits (round to nearest). */
export function floatToHalf(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const s = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === Infinity || a >= 65520) return s | 0x7c00;
  if (a < 2 ** -24 / 2) return s;
  if (a < 2 ** -14) return s | Math.round(a / 2 ** -24);
  let e = Math.floor(Math.log2(a));
  let m = Math.round((a / 2 ** e - 1) * 1024);
  if (m === 1024) {
    m = 0;
    e++;
  }
  return s | ((e + 15) << 10) | m;
}
