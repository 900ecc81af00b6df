import { ElmError } from '../core/errors.js';
import { Xoshiro128 } from '../core/prng.js';

/** The part of OIP model metadata the generator needs. */
export interface TensorMeta {
  name: string;
  datatype: string;
  shape: number[];
}

export interface PayloadOptions {
  /** Rows per request (the leading batch dimension). */
  rows: number;
  /** Distinct bodies to cycle through (1 = the same body every time: a warm response cache). */
  distinct: number;
  seed: number;
  /** Values are drawn uniformly from [lo, hi). */
  lo?: number;
  hi?: number;
}

const INT_TYPES = new Set(['INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);
const FLOAT_TYPES = new Set(['FP32', 'FP64']);

function concreteShape(shape: number[], rows: number): number[] {
  return shape.map((d, i) => (d >= 0 ? d : i === 0 ? rows : 1));
}

/**
 * Build `distinct` OIP inference request bodies (JSON strings) for a model's inputs, with seeded random data so a
 * run is reproducible. The request loop cycles through them.
 */
export function buildBodies(inputs: TensorMeta[], o: PayloadOptions): string[] {
  if (inputs.length === 0) throw new ElmError('ELM_ERR_BAD_REQUEST', 'the model metadata lists no inputs');
  if (!Number.isInteger(o.rows) || o.rows < 1 || o.rows > 65536)
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', '--rows must be 1..65536');
  if (!Number.isInteger(o.distinct) || o.distinct < 1 || o.distinct > 100_000)
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', '--distinct must be 1..100000');
  const rng = new Xoshiro128(o.seed);
  const lo = o.lo ?? 0;
  const hi = o.hi ?? 1;
  const bodies: string[] = [];
  for (let b = 0; b < o.distinct; b++) {
    const tensors = inputs.map((t) => {
      const shape = concreteShape(t.shape, o.rows);
      const n = shape.reduce((a, x) => a * x, 1);
      if (n > 16_000_000)
        throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `input "${t.name}" would have ${n} elements per request`);
      const data = new Array<number | boolean>(n);
      for (let i = 0; i < n; i++) {
        const u = rng.uniform();
        if (FLOAT_TYPES.has(t.datatype)) data[i] = Math.round((lo + u * (hi - lo)) * 1e4) / 1e4;
        else if (INT_TYPES.has(t.datatype)) data[i] = Math.floor(lo + u * (hi - lo));
        else if (t.datatype === 'BOOL') data[i] = u < 0.5;
        else throw new ElmError('ELM_ERR_UNSUPPORTED', `cannot generate data of type ${t.datatype} (give --body)`);
      }
      return { name: t.name, shape, datatype: t.datatype, data };
    });
    bodies.push(JSON.stringify({ inputs: tensors }));
  }
  return bodies;
}

/** Parse the OIP model metadata response into the inputs list (with a clear error on anything else). */
export function inputsFromMetadata(meta: unknown): TensorMeta[] {
  const m = meta as { inputs?: unknown };
  if (!m || !Array.isArray(m.inputs)) throw new ElmError('ELM_ERR_BAD_REQUEST', 'model metadata has no "inputs" array');
  return m.inputs.map((t: unknown) => {
    const x = t as Partial<TensorMeta>;
    if (typeof x.name !== 'string' || typeof x.datatype !== 'string' || !Array.isArray(x.shape))
      throw new ElmError('ELM_ERR_BAD_REQUEST', 'model metadata input lacks name/datatype/shape');
    return { name: x.name, datatype: x.datatype, shape: x.shape.map(Number) };
  });
}
