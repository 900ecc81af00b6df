import { ElmError } from '../../core/errors.js';
import { isActivation } from '../../core/types.js';
import type { Backend } from '../../numeric/backend.js';
import { ELM, defaultBackend, resolveConfig, type ElmSpec } from '../elm.js';
import { generateHiddenWeights } from '../hidden-layer.js';
import { KernelELM, type KernelElmSpec } from '../kernel-elm.js';
import type { Model, ModelKind, TrainingMetrics } from '../model.js';
import { OnlineELM } from '../os-elm.js';
import { decodeContainer, encodeContainer, type ArrayInput, type Container, type TypedArray } from './container.js';

export interface EncodeOptions {
  /** Store the hidden weights instead of regenerating them from the seed (bigger, but PRNG-independent). */
  storeHiddenWeights?: boolean;
  /** OS-ELM: also store P so training can resume after loading (default true). */
  includeState?: boolean;
  createdAt?: string;
  /** Extra header fields (e.g. a human-readable name). */
  meta?: Record<string, unknown>;
}

export interface DecodeContext {
  backend: Backend;
  codecs: ModelCodecs;
  /** Resolve a member artifact of a composite model (router, mixture) by content hash. */
  resolveMember?: (contentHash: string) => Uint8Array | undefined;
}

export interface EncodedModel {
  header: Record<string, unknown>;
  arrays: Record<string, ArrayInput>;
}

export interface ModelCodec {
  encode(model: Model, opts: EncodeOptions): EncodedModel;
  decode(c: Container, ctx: DecodeContext): Model;
}

/** A loaded artifact: the model plus its identity. */
export interface LoadedModel {
  model: Model;
  contentHash: string;
  header: Record<string, unknown>;
  byteLength: number;
}

const ELMSCALE_VERSION = '0.1.0';

/**
 * Codecs per model kind, as an instance: strategies register their composite kinds (int8, router, moe) on the same
 * registry the server and CLI use, without this module knowing about them.
 */
export class ModelCodecs {
  private readonly codecs = new Map<string, ModelCodec>();

  constructor() {
    this.register('elm', elmCodec);
    this.register('os-elm', osElmCodec);
    this.register('kernel-elm', kernelElmCodec);
  }

  register(kind: ModelKind | string, codec: ModelCodec): void {
    this.codecs.set(kind, codec);
  }

  kinds(): string[] {
    return [...this.codecs.keys()];
  }

  encode(model: Model, opts: EncodeOptions = {}): Uint8Array {
    const codec = this.codecs.get(model.kind);
    if (!codec) throw new ElmError('ELM_ERR_UNSUPPORTED', `no artifact codec for model kind "${model.kind}"`);
    const { header, arrays } = codec.encode(model, opts);
    const meta: Record<string, unknown> = {
      kind: model.kind,
      task: model.task,
      inputDim: model.inputDim,
      outputDim: model.outputDim,
      createdAt: opts.createdAt ?? new Date().toISOString(),
      elmscaleVersion: ELMSCALE_VERSION,
      metrics: model.metrics,
      ...opts.meta,
      ...header,
    };
    if (model.labels) meta.labels = model.labels;
    return encodeContainer(meta as { kind: string }, arrays);
  }

  decode(bytes: Uint8Array, ctx: Partial<DecodeContext> = {}): LoadedModel {
    const c = decodeContainer(bytes);
    const codec = this.codecs.get(c.header.kind);
    if (!codec) throw new ElmError('ELM_ERR_ARTIFACT_HEADER', `unknown model kind "${c.header.kind}" in artifact`);
    const full: DecodeContext = { backend: ctx.backend ?? defaultBackend(), codecs: this, ...ctx } as DecodeContext;
    let model: Model;
    try {
      model = codec.decode(c, full);
    } catch (e) {
      if (e instanceof ElmError && e.code.startsWith('ELM_ERR_ARTIFACT')) throw e;
      throw new ElmError(
        'ELM_ERR_ARTIFACT_HEADER',
        `artifact describes an invalid model: ${(e as Error).message}`,
        undefined,
        e,
      );
    }
    const { arrays: _arrays, ...header } = c.header;
    return { model, contentHash: c.contentHash, header, byteLength: c.byteLength };
  }
}

export function requireArray<T extends TypedArray>(
  c: Container,
  name: string,
  ctor: new (n: number) => T,
  length: number,
): T {
  const a = c.arrays[name];
  if (!(a instanceof ctor) || a.length !== length) {
    throw new ElmError('ELM_ERR_ARTIFACT_HEADER', `artifact array "${name}" is missing or has the wrong size`);
  }
  return a as T;
}

function elmHeader(spec: ElmSpec): Record<string, unknown> {
  return { config: spec.config, hiddenWeights: spec.storedWeights ? 'stored' : 'seed' };
}

function elmArrays(spec: ElmSpec, beta: Float32Array): Record<string, ArrayInput> {
  const d = spec.inputDim,
    l = spec.config.hidden;
  const arrays: Record<string, ArrayInput> = {
    mean: { data: spec.standardizer.mean, shape: [d] },
    scale: { data: spec.standardizer.scale, shape: [d] },
    beta: { data: beta, shape: [l, spec.outputDim] },
  };
  const stored = spec.storedWeights; // withStoredWeights() put them there when storeHiddenWeights was asked
  if (stored) {
    arrays.w = { data: stored.w, shape: [d, l] };
    arrays.b = { data: stored.b, shape: [l] };
  }
  return arrays;
}

/**
 * The spec of a random-feature ELM from an artifact header and arrays, validated (shared by every ELM-based kind:
 * elm, os-elm, and the strategies' elm-int8). A `scale` of length 1 is one global scale for every feature.
 */
export function decodeElmSpec(c: Container): ElmSpec {
  const h = c.header;
  const d = h.inputDim as number,
    m = h.outputDim as number;
  if (!(Number.isInteger(d) && d > 0 && Number.isInteger(m) && m > 0)) throw new Error('bad dimensions');
  if (h.task !== 'classification' && h.task !== 'regression') throw new Error('bad task');
  const config = resolveConfig(h.config as object);
  if (!isActivation(config.activation)) throw new Error('bad activation');
  const l = config.hidden;
  const spec: ElmSpec = {
    config,
    task: h.task,
    inputDim: d,
    outputDim: m,
    standardizer: { mean: requireArray(c, 'mean', Float32Array, d), scale: scaleOf(c, d) },
  };
  if (Array.isArray(h.labels)) spec.labels = (h.labels as unknown[]).map(String);
  if (h.hiddenWeights === 'stored') {
    spec.storedWeights = { w: requireArray(c, 'w', Float32Array, d * l), b: requireArray(c, 'b', Float32Array, l) };
  }
  return spec;
}

function scaleOf(c: Container, d: number): Float32Array {
  const a = c.arrays.scale;
  if (a instanceof Float32Array && a.length === 1 && d > 1) return new Float32Array(d).fill(a[0]!);
  return requireArray(c, 'scale', Float32Array, d);
}

/** Attach stored hidden weights to an ELM spec (what storeHiddenWeights does before encoding). */
function withStoredWeights(spec: ElmSpec, store: boolean | undefined): ElmSpec {
  if (!store || spec.storedWeights) return spec;
  return {
    ...spec,
    storedWeights: generateHiddenWeights(spec.config.seed, spec.inputDim, spec.config.hidden, spec.config.weightScale),
  };
}

const elmCodec: ModelCodec = {
  encode(model, opts) {
    const elm = model as ELM;
    const spec = withStoredWeights(elm.spec, opts.storeHiddenWeights);
    return { header: elmHeader(spec), arrays: elmArrays(spec, elm.beta) };
  },
  decode(c, ctx) {
    const spec = decodeElmSpec(c);
    const beta = requireArray(c, 'beta', Float32Array, spec.config.hidden * spec.outputDim);
    return new ELM(spec, beta, ctx.backend, (c.header.metrics as TrainingMetrics) ?? {});
  },
};

const osElmCodec: ModelCodec = {
  encode(model, opts) {
    const os = model as OnlineELM;
    const spec = withStoredWeights(os.spec, opts.storeHiddenWeights);
    const l = spec.config.hidden;
    const arrays = elmArrays(spec, Float32Array.from(os.beta64));
    const includeState = opts.includeState ?? true;
    if (includeState) {
      arrays.p = { data: os.p, shape: [l, l] };
      arrays.beta64 = { data: os.beta64, shape: [l, spec.outputDim] };
    }
    return { header: { ...elmHeader(spec), rowsSeen: os.rowsSeen, state: includeState }, arrays };
  },
  decode(c, ctx) {
    const spec = decodeElmSpec(c);
    const l = spec.config.hidden,
      m = spec.outputDim;
    if (c.header.state) {
      const p = requireArray(c, 'p', Float64Array, l * l);
      const b64 = requireArray(c, 'beta64', Float64Array, l * m);
      return OnlineELM.restore(spec, p, b64, Number(c.header.rowsSeen) || 0, ctx.backend);
    }
    // Without P the model can predict but not resume: serve it as a plain ELM.
    return new ELM(spec, requireArray(c, 'beta', Float32Array, l * m), ctx.backend);
  },
};

const kernelElmCodec: ModelCodec = {
  encode(model) {
    const k = model as KernelELM;
    const d = k.inputDim;
    return {
      header: { config: k.spec.config, method: k.spec.method },
      arrays: {
        mean: { data: k.spec.standardizer.mean, shape: [d] },
        scale: { data: k.spec.standardizer.scale, shape: [d] },
        centres: { data: k.centres, shape: [k.centreCount, d] },
        alpha: { data: k.alpha, shape: [k.centreCount, k.outputDim] },
      },
    };
  },
  decode(c, ctx) {
    const h = c.header;
    const d = h.inputDim as number,
      m = h.outputDim as number;
    const cfg = h.config as KernelElmSpec['config'];
    if (!(cfg && cfg.gamma > 0)) throw new Error('bad kernel config');
    const alphaEntry = c.arrays.alpha;
    if (!alphaEntry) throw new Error('missing alpha');
    const k = alphaEntry.length / m;
    const spec: KernelElmSpec = {
      config: cfg,
      task: h.task as KernelElmSpec['task'],
      inputDim: d,
      outputDim: m,
      standardizer: {
        mean: requireArray(c, 'mean', Float32Array, d),
        scale: requireArray(c, 'scale', Float32Array, d),
      },
      method: h.method === 'exact' ? 'exact' : 'nystrom',
    };
    if (Array.isArray(h.labels)) spec.labels = (h.labels as unknown[]).map(String);
    return new KernelELM(
      spec,
      requireArray(c, 'centres', Float32Array, k * d),
      requireArray(c, 'alpha', Float32Array, k * m),
      ctx.backend,
    );
  },
};
