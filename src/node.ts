/**
 * elmscale for Node: the platform-free API (`elmscale`) plus what needs Node — data files, the fast numeric
 * backends, the HTTP server and its halves (the serving core on Node, the fastify plugin), the edge routes and
 * static export, the worker-thread codecs module, and the NATS implementation of the cluster messaging port.
 * Every name here is listed in test/package/expected-exports.ts, which the packed-package test checks.
 */
export * from './index.js';
export {
  loadDataSpec,
  loadDigits,
  loadMnist,
  loadIdxFiles,
  loadCsvFile,
  readDataFile,
} from './adapters/node/data-files.js';

// Numeric backends on Node: selectBackend({ name?, threads?, purpose? }) is the one way to choose.
export {
  nodeBackend,
  selectBackend,
  createNodeBackendRegistry,
  type BackendPurpose,
  type SelectBackendOptions,
} from './adapters/node/backends.js';
export { createNodeWasmBackend, type NodeWasmOptions } from './adapters/node/wasm-backend.js';

// Serving on Node: startServer = buildServing (the core: executor or worker pool, caches, service, pipeline,
// Prometheus exporter, initial models) + listenHttp (fastify in front); restPlugin for your own fastify app.
export {
  startServer,
  listenHttp,
  buildServing,
  resolveServerOptions,
  restPlugin,
  isLoopback,
  type RunningServer,
  type ServingRuntime,
  type RestPluginOptions,
  type ServerOptions,
  type ResolvedOptions,
  type ServerContext,
  type ServerPlugin,
} from './adapters/node/http/index.js';
export { STRATEGY_CODECS_MODULE } from './adapters/node/workers/strategy-codecs.js';

// Edge: CDN-style artifact routes and the demo page as a server plugin; `elmscale export` as a function.
export {
  edgePlugin,
  exportStatic,
  type EdgeOptions,
  type EdgeHandle,
  type ExportOptions,
  type ExportResult,
} from './adapters/node/edge/index.js';

// Cluster: the messaging port (src/cluster/port.ts) on NATS JetStream.
export {
  connectCluster,
  redactUrl,
  scrubSecrets,
  resolveTarget,
  type ConnectOptions,
  type ClusterTarget,
  type ResolvedTarget,
} from './adapters/node/nats/index.js';
export type * from './cluster/port.js';

// Cluster membership on Node: join a running server to a NATS cluster (serve --cluster uses it).
export { joinCluster, defaultNodeId, type JoinOptions, type ClusterMember } from './adapters/node/cluster/join.js';
