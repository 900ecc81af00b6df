import { ElmError } from '../../core/errors.js';
import { crc32, sha256Hex } from '../../core/hash.js';

/**
 * The `.elm` container, format version 1 (all integers little-endian):
 *
 *   offset 0   8 bytes   magic 0x89 'E' 'L' 'M' 0x0D 0x0A 0x1A 0x0A (PNG-style: catches text-mode and 7-bit damage)
 *   offset 8   u32       format version
 *   offset 12  u32       header length H in bytes (JSON, UTF-8, space-padded so the data section is 8-byte aligned)
 *   offset 16  H bytes   header JSON: { kind, arrays: [{name, dtype, shape, offset, byteLength}], ...kind fields }
 *   16+H       …         array data, each at its header offset (relative to 16+H), 8-byte aligned, little-endian
 *   end−4      u32       CRC-32 of every preceding byte
 *
 * The SHA-256 of the whole file is the artifact's content hash: its immutable identity and URL.
 */
export const MAGIC = Uint8Array.from([0x89, 0x45, 0x4c, 0x4d, 0x0d, 0x0a, 0x1a, 0x0a]);
export const FORMAT_VERSION = 1;

export type DType = 'f32' | 'f64' | 'i8' | 'i32' | 'u8';
export type TypedArray = Float32Array | Float64Array | Int8Array | Int32Array | Uint8Array;

const CTORS = { f32: Float32Array, f64: Float64Array, i8: Int8Array, i32: Int32Array, u8: Uint8Array } as const;

export interface ArrayEntry {
  name: string;
  dtype: DType;
  shape: number[];
  offset: number;
  byteLength: number;
}

export interface ContainerHeader {
  kind: string;
  arrays?: ArrayEntry[];
  [key: string]: unknown;
}

export interface Container {
  header: ContainerHeader;
  arrays: Record<string, TypedArray>;
  contentHash: string;
  byteLength: number;
}

export interface ArrayInput {
  data: TypedArray;
  shape: number[];
}

function dtypeOf(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Int8Array) return 'i8';
  if (a instanceof Int32Array) return 'i32';
  return 'u8';
}

const align8 = (n: number): number => (n + 7) & ~7;

export function encodeContainer(
  header: Omit<ContainerHeader, 'arrays'>,
  arrays: Record<string, ArrayInput>,
): Uint8Array {
  const entries: ArrayEntry[] = [];
  let offset = 0;
  for (const [name, { data, shape }] of Object.entries(arrays)) {
    const count = shape.reduce((a, b) => a * b, 1);
    if (count !== data.length) {
      throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `array ${name} has ${data.length} values, shape says ${count}`);
    }
    entries.push({ name, dtype: dtypeOf(data), shape, offset, byteLength: data.byteLength });
    offset = align8(offset + data.byteLength);
  }
  const json = JSON.stringify({ ...header, arrays: entries });
  let headerBytes = new TextEncoder().encode(json);
  const padded = align8(16 + headerBytes.length) - 16;
  if (padded !== headerBytes.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(headerBytes);
    headerBytes = p;
  }
  const dataStart = 16 + headerBytes.length;
  const total = dataStart + offset + 4;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint32(8, FORMAT_VERSION, true);
  dv.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, 16);
  for (const e of entries) {
    const src = arrays[e.name]!.data;
    out.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), dataStart + e.offset);
  }
  dv.setUint32(total - 4, crc32(out, 0, total - 4), true);
  return out;
}

function fail(
  code:
    | 'ELM_ERR_ARTIFACT_MAGIC'
    | 'ELM_ERR_ARTIFACT_VERSION'
    | 'ELM_ERR_ARTIFACT_TRUNCATED'
    | 'ELM_ERR_ARTIFACT_CHECKSUM'
    | 'ELM_ERR_ARTIFACT_HEADER',
  msg: string,
): never {
  throw new ElmError(code, msg);
}

export function decodeContainer(bytes: Uint8Array): Container {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail('ELM_ERR_ARTIFACT_MAGIC', 'not an elmscale artifact (magic bytes do not match)');
  }
  if (bytes.length < 20) fail('ELM_ERR_ARTIFACT_TRUNCATED', `artifact is only ${bytes.length} bytes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version > FORMAT_VERSION || version === 0) {
    fail('ELM_ERR_ARTIFACT_VERSION', `artifact format version ${version}; this elmscale reads up to ${FORMAT_VERSION}`);
  }
  const headerLength = dv.getUint32(12, true);
  if (16 + headerLength + 4 > bytes.length) {
    fail('ELM_ERR_ARTIFACT_TRUNCATED', `header claims ${headerLength} bytes but the file has ${bytes.length}`);
  }
  let header: ContainerHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + headerLength)));
  } catch (e) {
    // A corrupt header is far more often damage than a bug: report the checksum when it disagrees.
    if (crcMismatch(bytes, dv)) fail('ELM_ERR_ARTIFACT_CHECKSUM', 'artifact checksum mismatch (corrupt file)');
    throw new ElmError('ELM_ERR_ARTIFACT_HEADER', `artifact header is not valid JSON: ${String(e)}`, undefined, e);
  }
  if (
    typeof header !== 'object' ||
    header === null ||
    typeof header.kind !== 'string' ||
    !Array.isArray(header.arrays)
  ) {
    fail('ELM_ERR_ARTIFACT_HEADER', 'artifact header lacks kind or arrays');
  }
  const dataStart = 16 + headerLength;
  let dataEnd = dataStart;
  for (const e of header.arrays!) {
    const ok =
      e &&
      typeof e.name === 'string' &&
      e.dtype in CTORS &&
      Array.isArray(e.shape) &&
      Number.isInteger(e.offset) &&
      e.offset >= 0 &&
      e.offset % 8 === 0 &&
      Number.isInteger(e.byteLength) &&
      e.byteLength >= 0 &&
      e.shape.every((s: unknown) => Number.isInteger(s) && (s as number) >= 0) &&
      e.shape.reduce((a: number, b: number) => a * b, 1) * CTORS[e.dtype].BYTES_PER_ELEMENT === e.byteLength;
    if (!ok) fail('ELM_ERR_ARTIFACT_HEADER', `artifact array entry ${JSON.stringify(e)} is inconsistent`);
    dataEnd = Math.max(dataEnd, dataStart + e.offset + e.byteLength);
  }
  const expected = align8(dataEnd - dataStart) + dataStart + 4;
  if (bytes.length < expected)
    fail('ELM_ERR_ARTIFACT_TRUNCATED', `artifact has ${bytes.length} bytes, expected ${expected}`);
  if (bytes.length > expected)
    fail('ELM_ERR_ARTIFACT_HEADER', `artifact has ${bytes.length - expected} unexpected trailing bytes`);
  if (crcMismatch(bytes, dv)) fail('ELM_ERR_ARTIFACT_CHECKSUM', 'artifact checksum mismatch (corrupt file)');
  const arrays: Record<string, TypedArray> = {};
  for (const e of header.arrays!) {
    // Copy into a fresh, aligned buffer the model owns (the input bytes may be a pooled or unaligned view).
    // (new Uint8Array(view) copies; Buffer#slice would not.)
    const copy = new Uint8Array(bytes.subarray(dataStart + e.offset, dataStart + e.offset + e.byteLength));
    arrays[e.name] = new CTORS[e.dtype](copy.buffer, 0, e.byteLength / CTORS[e.dtype].BYTES_PER_ELEMENT);
  }
  return { header, arrays, contentHash: sha256Hex(bytes), byteLength: bytes.length };
}

function crcMismatch(bytes: Uint8Array, dv: DataView): boolean {
  return crc32(bytes, 0, bytes.length - 4) !== dv.getUint32(bytes.length - 4, true);
}

/** Content hash of artifact bytes (hex SHA-256). */
export function contentHashOf(bytes: Uint8Array): string {
  return sha256Hex(bytes);
}
