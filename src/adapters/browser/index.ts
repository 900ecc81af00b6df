/** The browser adapter: wasm loading, artifact fetch, IndexedDB, downloads and the training worker. */
export {
  loadBrowserBackend,
  createBrowserBackendRegistry,
  compileWasm,
  instantiateWasm,
  defaultWasmUrl,
  type BrowserBackend,
  type BrowserBackendOptions,
  type WasmSource,
} from './backend.js';
export {
  fetchArtifact,
  decodeArtifact,
  loadModel,
  hashFromUrl,
  type FetchedArtifact,
  type LoadOptions,
} from './artifact.js';
export { IdbModelStore, downloadArtifact, type SavedModel } from './idb.js';
export { fetchDigits, maybeGunzip } from './data.js';
export { BrowserTrainer, defaultTrainingThreads, type TrainerOptions } from './trainer.js';
export { loadThreadedBackend, threadsSupported, type ThreadedBackend, type ThreadedOptions } from './threads.js';
export type { TrainData, TrainResult } from './protocol.js';
