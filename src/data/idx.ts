/**
 * IDX, the MNIST file format: bytes 0–1 are zero, byte 2 the element type, byte 3 the number of dimensions, then
 * one big-endian uint32 per dimension, then the elements in row-major order (big-endian when wider than a byte).
 * MNIST images are 0x00000803 (ubyte, 3 dims: n × 28 × 28) and labels 0x00000801 (ubyte, 1 dim: n).
 *
 * Pixels are kept as their raw values (0..255 for MNIST) converted to float32: models standardise inputs
 * themselves. The parser is strict: the file length must equal header + elements exactly.
 * gzip-compressed input is recognised (1f 8b) and rejected with a pointed error; the node adapter gunzips.
 */
import { ElmError } from '../core/errors.js';
import type { ClassificationDataset } from './dataset.js';
import { encodeLabels } from './labels.js';

export type IdxType = 'ubyte' | 'sbyte' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  type: IdxType;
  dims: number[];
  /** Elements in row-major order. For ubyte input this is a view on the input bytes (no copy). */
  data: IdxData;
}

const TYPES: Record<number, { type: IdxType; size: number }> = {
  0x08: { type: 'ubyte', size: 1 },
  0x09: { type: 'sbyte', size: 1 },
  0x0b: { type: 'int16', size: 2 },
  0x0c: { type: 'int32', size: 4 },
  0x0d: { type: 'float32', size: 4 },
  0x0e: { type: 'float64', size: 8 },
};
const CODES: Record<IdxType, number> = {
  ubyte: 0x08,
  sbyte: 0x09,
  int16: 0x0b,
  int32: 0x0c,
  float32: 0x0d,
  float64: 0x0e,
};

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function bad(what: string, message: string, details: Record<string, unknown> = {}): ElmError {
  return new ElmError('ELM_ERR_DATA_PARSE', `${what}: ${message}`, details);
}

export function parseIdx(bytes: Uint8Array, what = 'IDX data'): IdxArray {
  if (isGzip(bytes)) throw bad(what, 'is gzip-compressed; decompress it before parsing', { gzip: true });
  if (bytes.length < 4)
    throw bad(what, `too short for an IDX header (${bytes.length} bytes)`, { length: bytes.length });
  const magic = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const t = TYPES[bytes[2]!];
  const ndims = bytes[3]!;
  if (bytes[0] !== 0 || bytes[1] !== 0 || t === undefined || ndims === 0) {
    throw bad(what, `bad magic number 0x${magic.toString(16).padStart(8, '0')} (not an IDX file)`, { magic });
  }
  const headerLen = 4 + 4 * ndims;
  if (bytes.length < headerLen)
    throw bad(what, `truncated header: ${ndims} dimensions need ${headerLen} bytes, file has ${bytes.length}`, {
      length: bytes.length,
    });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    count *= n;
  }
  const expected = headerLen + count * t.size;
  if (bytes.length !== expected) {
    const kind = bytes.length < expected ? 'truncated' : 'has trailing bytes';
    throw bad(
      what,
      `${kind}: dims ${JSON.stringify(dims)} of ${t.type} need ${expected} bytes, file has ${bytes.length}`,
      {
        expected,
        length: bytes.length,
        dims,
      },
    );
  }
  return { type: t.type, dims, data: readElements(view, headerLen, count, t.type) };
}

function readElements(view: DataView, off: number, count: number, type: IdxType): IdxData {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  switch (type) {
    case 'ubyte':
      return bytes.subarray(off, off + count);
    case 'sbyte':
      return new Int8Array(bytes.buffer, bytes.byteOffset + off, count);
    case 'int16': {
      const a = new Int16Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt16(off + 2 * i, false);
      return a;
    }
    case 'int32': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt32(off + 4 * i, false);
      return a;
    }
    case 'float32': {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat32(off + 4 * i, false);
      return a;
    }
    case 'float64': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat64(off + 8 * i, false);
      return a;
    }
  }
}

/** Serialise to IDX bytes (used by tests and by tools that export data). */
export function encodeIdx(arr: IdxArray): Uint8Array {
  const count = arr.dims.reduce((a, b) => a * b, 1);
  if (count !== arr.data.length) {
    throw new ElmError(
      'ELM_ERR_SHAPE_MISMATCH',
      `IDX dims ${JSON.stringify(arr.dims)} hold ${count} elements, data has ${arr.data.length}`,
    );
  }
  const size = TYPES[CODES[arr.type]]!.size;
  const headerLen = 4 + 4 * arr.dims.length;
  const out = new Uint8Array(headerLen + count * size);
  const view = new DataView(out.buffer);
  out[2] = CODES[arr.type];
  out[3] = arr.dims.length;
  arr.dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const v = arr.data[i]!;
    const o = headerLen + i * size;
    if (arr.type === 'ubyte') view.setUint8(o, v);
    else if (arr.type === 'sbyte') view.setInt8(o, v);
    else if (arr.type === 'int16') view.setInt16(o, v, false);
    else if (arr.type === 'int32') view.setInt32(o, v, false);
    else if (arr.type === 'float32') view.setFloat32(o, v, false);
    else view.setFloat64(o, v, false);
  }
  return out;
}

export interface IdxDatasetOptions {
  name?: string;
  /** Keep only the first `limit` rows. */
  limit?: number;
  /** Explicit class list (MNIST passes "0".."9" so a small subset keeps all ten classes). */
  classes?: string[];
}

/**
 * Images (dims n × ...) and labels (dims n, integer type) → a classification data set with one row per image,
 * features = the image flattened row-major, as float32 raw values. Classes follow the rule in labels.ts.
 */
export function idxToDataset(images: IdxArray, labels: IdxArray, opts: IdxDatasetOptions = {}): ClassificationDataset {
  const name = opts.name ?? 'idx';
  if (images.dims.length < 1)
    throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `${name}: images need at least one dimension`);
  if (labels.dims.length !== 1) {
    throw new ElmError(
      'ELM_ERR_SHAPE_MISMATCH',
      `${name}: labels must be one-dimensional, got dims ${JSON.stringify(labels.dims)}`,
      { dims: labels.dims },
    );
  }
  if (labels.type === 'float32' || labels.type === 'float64') {
    throw new ElmError('ELM_ERR_DATA_PARSE', `${name}: labels must be an integer IDX type, got ${labels.type}`, {
      type: labels.type,
    });
  }
  const n = images.dims[0]!;
  if (labels.dims[0] !== n) {
    throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `${name}: ${n} images but ${labels.dims[0]} labels`, {
      images: n,
      labels: labels.dims[0],
    });
  }
  const rows = opts.limit ?? n;
  if (!Number.isInteger(rows) || rows < 1 || rows > n) {
    throw new ElmError('ELM_ERR_DATA_SPEC', `${name}: cannot take ${opts.limit} rows from ${n}`, {
      limit: opts.limit,
      rows: n,
    });
  }
  const cols = images.dims.slice(1).reduce((a, b) => a * b, 1);
  const x = new Float32Array(rows * cols);
  x.set(images.data.subarray(0, rows * cols));
  if (images.type === 'float32' || images.type === 'float64') {
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i]!))
        throw new ElmError('ELM_ERR_DATA_PARSE', `${name}: image element ${i} is not a finite float32`, { index: i });
    }
  }
  const raw: string[] = new Array<string>(rows);
  for (let i = 0; i < rows; i++) raw[i] = String(labels.data[i]);
  const { y, labels: classNames } = encodeLabels(raw, opts.classes);
  return { name, task: 'classification', x, rows, cols, y, labels: classNames, sameUnits: true };
}
