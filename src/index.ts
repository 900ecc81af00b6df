/**
 * elmscale — the platform-free public API (runs unchanged in Node and in browsers): models, artifacts and their
 * codecs, the model-level strategies (quantize, distill, route, moe), data sets and the numeric backends.
 * Node-specific pieces (files, worker threads, the HTTP server, the wasm loader, NATS) are in `elmscale/node`;
 * browser-specific ones in `elmscale/browser`; the transport-neutral serving core in `elmscale/serving`.
 * Every name here is listed in test/package/expected-exports.ts, which the packed-package test checks.
 */
export * from './core/errors.js';
export * from './core/types.js';
export { Xoshiro128, permutation } from './core/prng.js';
export { crc32, fnv1a64, sha256Hex } from './core/hash.js';

export type {
  Backend,
  DensePlan,
  Int8PlanSpec,
  Kernel,
  KernelContracts,
  KernelName,
  KernelTable,
  OptionalKernelName,
  RequiredKernelName,
} from './numeric/backend.js';
export { createBackend, mirrorUpper, flops, OPTIONAL_KERNELS, REQUIRED_KERNELS } from './numeric/backend.js';
export { createJsBackend, jsKernels } from './numeric/js/index.js';
export { BackendRegistry } from './numeric/registry.js';
export { activationFns } from './numeric/activations.js';
export {
  createWasmContext,
  createWasmBackend,
  type WasmContext,
  type WasmBackendOptions,
} from './numeric/wasm/index.js';

export * from './models/model.js';
export { ELM, defaultBackend, resolveConfig, type ElmSpec, type FitOptions } from './models/elm.js';
export { OnlineELM } from './models/os-elm.js';
export { KernelELM, type KernelElmConfig, type KernelElmSpec } from './models/kernel-elm.js';
export { evaluate, type Evaluation } from './models/evaluate.js';
export { generateHiddenWeights } from './models/hidden-layer.js';
export { fitStandardizer, type Standardizer, type StandardizeMode } from './models/standardize.js';
export { type ModelCodec, type LoadedModel, type EncodeOptions, type DecodeContext } from './models/artifact/codecs.js';
export { encodeContainer, decodeContainer, contentHashOf, FORMAT_VERSION, MAGIC } from './models/artifact/container.js';

// ModelCodecs here knows every kind elmscale writes (elm, os-elm, kernel-elm, elm-int8, router, moe): see codecs.ts.
export { ModelCodecs } from './codecs.js';

export * from './strategies/index.js';

export * from './data/index.js';
export * as data from './data/index.js';
