export { createWasmBackend, createWasmContext, warmUp, INITIAL_PAGES, MAXIMUM_PAGES } from './backend.js';
export type { WasmBackendOptions, WasmContext } from './backend.js';
export { DEFAULT_TUNING, type Tuning } from './core.js';
export { Heap } from './heap.js';
export { CTRL_BYTES, SharedHelper, serveHelper, type WasmHelper } from './helper.js';
export { instantiateKernels, simdSupported, type Kernels } from './kernels.js';
