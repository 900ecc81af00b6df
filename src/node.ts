/** elmscale for Node: the platform-free API plus files, the fast backends and (as they land) the server. */
export * from './index.js';
export {
  loadDataSpec,
  loadDigits,
  loadMnist,
  loadIdxFiles,
  loadCsvFile,
  readDataFile,
} from './adapters/node/data-files.js';
export {
  nodeBackend,
  selectBackend,
  type BackendPurpose,
  type SelectBackendOptions,
} from './adapters/node/backends.js';
export {
  startServer,
  type RunningServer,
  type ServerOptions,
  type ServerContext,
  type ServerPlugin,
} from './adapters/node/http/index.js';
