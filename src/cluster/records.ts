import { ElmError } from '../core/errors.js';

/** A model in the cluster registry: which artifact is current, and the optional canary beside it. */
export interface ModelRecord {
  name: string;
  /** Version name the nodes serve it under. */
  version: string;
  /** SHA-256 hex of the artifact (its name in the artifacts bucket). */
  artifact: string;
  size: number;
  /** A second version that takes `share` (0..1) of the requests that name no version. */
  canary?: { version: string; artifact: string; size: number; share: number };
  deployedMs: number;
}

/** What a node announces every beat. */
export interface NodeRecord {
  id: string;
  /** Its HTTP (OIP v2) front, when it has one. */
  http?: string;
  /** Models it serves: name → versions (the default first). */
  models: Record<string, string[]>;
  inflight: number;
  maxInflight: number;
  startedMs: number;
  beatMs: number;
}

const utf8 = new TextEncoder();
const text = new TextDecoder();

export function encodeRecord(r: ModelRecord | NodeRecord): Uint8Array {
  return utf8.encode(JSON.stringify(r));
}

function parse(bytes: Uint8Array, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text.decode(bytes));
  } catch (e) {
    throw new ElmError('ELM_ERR_BAD_REQUEST', `malformed ${what} record: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null) throw new ElmError('ELM_ERR_BAD_REQUEST', `malformed ${what} record`);
  return v as Record<string, unknown>;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function decodeModelRecord(bytes: Uint8Array): ModelRecord {
  const v = parse(bytes, 'model');
  const ok =
    typeof v.name === 'string' &&
    typeof v.version === 'string' &&
    typeof v.artifact === 'string' &&
    SHA256.test(v.artifact) &&
    typeof v.size === 'number';
  if (!ok) throw new ElmError('ELM_ERR_BAD_REQUEST', 'malformed model record');
  const c = v.canary as ModelRecord['canary'];
  if (c !== undefined && !(typeof c.version === 'string' && SHA256.test(c.artifact) && c.share >= 0 && c.share <= 1)) {
    throw new ElmError('ELM_ERR_BAD_REQUEST', 'malformed canary in model record');
  }
  return v as unknown as ModelRecord;
}

export function decodeNodeRecord(bytes: Uint8Array): NodeRecord {
  const v = parse(bytes, 'node');
  if (typeof v.id !== 'string' || typeof v.models !== 'object' || v.models === null) {
    throw new ElmError('ELM_ERR_BAD_REQUEST', 'malformed node record');
  }
  return v as unknown as NodeRecord;
}
