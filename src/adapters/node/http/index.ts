/** The node HTTP model server: programmatic API (see docs/serving.md). */
export { startServer, listenHttp, resolveServerOptions, type RunningServer } from './server.js';
export { buildServing, type ServingRuntime } from '../serving/compose.js';
export { restPlugin, type RestPluginOptions } from './plugin.js';
export {
  isLoopback,
  type ServerOptions,
  type ResolvedOptions,
  type ServerContext,
  type ServerPlugin,
} from './options.js';
export { sendError, sendAnswer } from './reply.js';
