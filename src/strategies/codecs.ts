import { ElmError } from '../core/errors.js';
import { sha256Hex } from '../core/hash.js';
import {
  decodeElmSpec,
  requireArray,
  type DecodeContext,
  type EncodeOptions,
  type EncodedModel,
  type ModelCodecs,
} from '../models/artifact/codecs.js';
import type { ArrayInput, Container } from '../models/artifact/container.js';
import type { Model, TrainingMetrics } from '../models/model.js';
import type { Member } from './composite.js';
import { ElmGate, KMeansGate, type Gate } from './moe/gate.js';
import { MixtureModel } from './moe/mixture.js';
import { QuantizedELM, type HiddenPrecision, type Int8ElmParts } from './quantize/quantized-elm.js';
import { CONFIDENCE_MEASURES, type ConfidenceMeasure } from './route/confidence.js';
import { RouterModel } from './route/router.js';

/**
 * Artifact codecs of the strategy kinds:
 *  - 'elm-int8': config + standardiser + int8 β (m×L) and its per-column scales; hidden weights regenerated from
 *    the seed and quantised at load (or stored as folded int8 when the source stored its weights).
 *  - 'router', 'moe': composite artifacts. The header lists members {role, kind, contentHash, byteLength}; by
 *    default each member's artifact bytes are embedded as a u8 array `member:<role>` (one self-contained file),
 *    and with embedMembers: false they are left out and resolved by content hash through
 *    DecodeContext.resolveMember. Either way a member's bytes must hash to the listed content hash, and a member
 *    that cannot be found fails with ELM_ERR_ARTIFACT_MEMBER_MISSING.
 */
export interface StrategyEncodeOptions extends EncodeOptions {
  /** Embed member artifacts in composite artifacts (default true). */
  embedMembers?: boolean;
}

export interface MemberArtifact {
  role: string;
  kind: string;
  contentHash: string;
  bytes: Uint8Array;
}

export function registerStrategyCodecs(codecs: ModelCodecs): ModelCodecs {
  codecs.register('elm-int8', { encode: encodeInt8, decode: decodeInt8 });
  codecs.register('router', {
    encode: (model, opts) => {
      const r = model as RouterModel;
      const { header, arrays } = encodeMembers(codecs, r.members, opts);
      return { header: { ...header, policy: { measure: r.policy.measure, threshold: r.policy.threshold } }, arrays };
    },
    decode: (c, ctx) => {
      const members = decodeMembers(c, ctx);
      const p = c.header.policy as { measure?: unknown; threshold?: unknown } | undefined;
      if (!p || !CONFIDENCE_MEASURES.includes(p.measure as ConfidenceMeasure) || typeof p.threshold !== 'number') {
        throw new ElmError('ELM_ERR_ARTIFACT_HEADER', 'router artifact lacks a valid policy');
      }
      const small = members.find((m) => m.role === 'small');
      const large = members.find((m) => m.role === 'large');
      if (!small || !large) throw new ElmError('ELM_ERR_ARTIFACT_HEADER', 'router artifact needs small and large');
      const policy = { measure: p.measure as ConfidenceMeasure, threshold: p.threshold };
      return new RouterModel(small, large, policy, metricsOf(c));
    },
  });
  codecs.register('moe', {
    encode: (model, opts) => {
      const mx = model as MixtureModel;
      const { header, arrays } = encodeMembers(codecs, mx.members, opts);
      const g = mx.gate;
      const gate: Record<string, unknown> = { kind: g.kind, experts: g.experts };
      if (g instanceof KMeansGate) {
        const d = g.inputDim;
        gate.temperature = g.params.temperature;
        arrays['gate:mean'] = { data: g.params.standardizer.mean, shape: [d] };
        arrays['gate:scale'] = { data: g.params.standardizer.scale, shape: [d] };
        arrays['gate:centroids'] = { data: g.params.centroids, shape: [g.experts, d] };
      }
      return { header: { ...header, topK: mx.topK, gate }, arrays };
    },
    decode: (c, ctx) => {
      const members = decodeMembers(c, ctx);
      const g = c.header.gate as { kind?: string; experts?: number; temperature?: number } | undefined;
      const e = g?.experts;
      if (!g || !(Number.isInteger(e) && e! > 0)) throw new ElmError('ELM_ERR_ARTIFACT_HEADER', 'moe lacks a gate');
      const experts = Array.from({ length: e! }, (_, i) => {
        const m = members.find((x) => x.role === `expert${i}`);
        if (!m) throw new ElmError('ELM_ERR_ARTIFACT_HEADER', `moe artifact lacks expert${i}`);
        return m;
      });
      const d = Number(c.header.inputDim);
      let gate: Gate;
      let gateMember: Member | undefined;
      if (g.kind === 'kmeans') {
        gate = new KMeansGate({
          standardizer: {
            mean: requireArray(c, 'gate:mean', Float32Array, d),
            scale: requireArray(c, 'gate:scale', Float32Array, d),
          },
          centroids: requireArray(c, 'gate:centroids', Float32Array, e! * d),
          experts: e!,
          temperature: Number(g.temperature),
        });
      } else if (g.kind === 'elm') {
        gateMember = members.find((x) => x.role === 'gate');
        if (!gateMember) throw new ElmError('ELM_ERR_ARTIFACT_HEADER', 'moe artifact lacks its gate model');
        gate = new ElmGate(gateMember.model);
      } else throw new ElmError('ELM_ERR_ARTIFACT_HEADER', `unknown gate kind "${String(g.kind)}"`);
      return new MixtureModel(gate, experts, Number(c.header.topK), metricsOf(c), gateMember);
    },
  });
  return codecs;
}

function metricsOf(c: Container): TrainingMetrics {
  return { ...((c.header.metrics as TrainingMetrics) ?? {}) };
}

/** A member's artifact bytes: the ones it was loaded from, or a fresh encoding (cached, so the hash is stable). */
export function memberBytes(codecs: ModelCodecs, m: Member, opts: EncodeOptions = {}): Uint8Array {
  if (!m.bytes) {
    const { meta: _meta, ...rest } = opts;
    m.bytes = codecs.encode(m.model, rest);
    m.contentHash = sha256Hex(m.bytes);
  }
  m.contentHash ??= sha256Hex(m.bytes);
  return m.bytes;
}

/** Every member artifact of a composite (what to publish next to it when members are not embedded). */
export function memberArtifacts(
  codecs: ModelCodecs,
  members: readonly Member[],
  opts: EncodeOptions = {},
): MemberArtifact[] {
  return members.map((m) => {
    const bytes = memberBytes(codecs, m, opts);
    return { role: m.role, kind: m.model.kind, contentHash: m.contentHash!, bytes };
  });
}

function encodeMembers(codecs: ModelCodecs, members: readonly Member[], opts: StrategyEncodeOptions): EncodedModel {
  const embed = opts.embedMembers ?? true;
  const arrays: Record<string, ArrayInput> = {};
  const list = memberArtifacts(codecs, members, opts).map((a) => {
    if (embed) arrays[`member:${a.role}`] = { data: a.bytes, shape: [a.bytes.length] };
    return { role: a.role, kind: a.kind, contentHash: a.contentHash, byteLength: a.bytes.length };
  });
  return { header: { members: list, embeddedMembers: embed }, arrays };
}

function decodeMembers(c: Container, ctx: DecodeContext): Member[] {
  const list = c.header.members;
  if (!Array.isArray(list)) throw new ElmError('ELM_ERR_ARTIFACT_HEADER', 'composite artifact lacks its member list');
  return list.map((raw: unknown) => {
    const e = raw as { role?: unknown; contentHash?: unknown };
    if (typeof e?.role !== 'string' || typeof e.contentHash !== 'string' || !/^[0-9a-f]{64}$/.test(e.contentHash)) {
      throw new ElmError('ELM_ERR_ARTIFACT_HEADER', `bad member entry ${JSON.stringify(raw)}`);
    }
    const hash = e.contentHash;
    const embedded = c.arrays[`member:${e.role}`];
    const bytes = embedded instanceof Uint8Array ? embedded : ctx.resolveMember?.(hash);
    const details = { role: e.role, contentHash: hash };
    if (!bytes) {
      throw new ElmError(
        'ELM_ERR_ARTIFACT_MEMBER_MISSING',
        `${c.header.kind} member "${e.role}" (sha256 ${hash.slice(0, 16)}…) is not embedded and could not be resolved`,
        details,
      );
    }
    if (sha256Hex(bytes) !== hash) {
      throw new ElmError(
        'ELM_ERR_ARTIFACT_MEMBER_MISSING',
        `${c.header.kind} member "${e.role}": the bytes found do not hash to ${hash.slice(0, 16)}…`,
        details,
      );
    }
    const loaded = ctx.codecs.decode(bytes, ctx);
    return { role: e.role, model: loaded.model, bytes, contentHash: hash };
  });
}

// ---- elm-int8 ----

function encodeInt8(model: Model, opts: EncodeOptions): EncodedModel {
  const q = model as QuantizedELM;
  const spec = q.spec;
  const d = spec.inputDim,
    l = spec.config.hidden,
    m = spec.outputDim;
  const s = spec.standardizer;
  const uniform = s.scale.every((v) => v === s.scale[0]);
  const arrays: Record<string, ArrayInput> = {
    mean: { data: s.mean, shape: [d] },
    // one value when every feature shares the scale (images): saves 4·d bytes
    scale: uniform ? { data: s.scale.subarray(0, 1), shape: [1] } : { data: s.scale, shape: [d] },
    betaQ: { data: q.parts.beta.q, shape: [m, l] },
    betaScale: { data: q.parts.beta.scales, shape: [m] },
  };
  let hiddenWeights = 'seed';
  const folded = q.foldedInt8();
  if ((spec.storedWeights || opts.storeHiddenWeights) && folded) {
    hiddenWeights = 'int8-folded';
    arrays.wq = { data: folded.wq, shape: [d, l] };
    arrays.wScale = { data: folded.wScale, shape: [l] };
    arrays.bFolded = { data: folded.b, shape: [l] };
  } else if (spec.storedWeights) {
    hiddenWeights = 'stored';
    arrays.w = { data: spec.storedWeights.w, shape: [d, l] };
    arrays.b = { data: spec.storedWeights.b, shape: [l] };
  }
  return { header: { config: spec.config, hiddenPrecision: q.parts.hidden, hiddenWeights }, arrays };
}

function decodeInt8(c: Container, ctx: DecodeContext): QuantizedELM {
  const h = c.header;
  const spec = decodeElmSpec(c);
  const d = spec.inputDim,
    m = spec.outputDim,
    l = spec.config.hidden;
  const hidden: HiddenPrecision = h.hiddenPrecision === 'f32' ? 'f32' : 'int8';
  const parts: Int8ElmParts = {
    spec,
    hidden,
    beta: { q: requireArray(c, 'betaQ', Int8Array, m * l), scales: requireArray(c, 'betaScale', Float32Array, m) },
  };
  if (h.hiddenWeights === 'int8-folded') {
    parts.storedFolded = {
      wq: requireArray(c, 'wq', Int8Array, d * l),
      wScale: requireArray(c, 'wScale', Float32Array, l),
      b: requireArray(c, 'bFolded', Float32Array, l),
    };
  }
  return new QuantizedELM(parts, ctx.backend, metricsOf(c));
}
