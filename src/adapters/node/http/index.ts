/** The node HTTP model server: programmatic API (see docs/serving.md). */
export { startServer, resolveServerOptions, type RunningServer } from './server.js';
export {
  DEFAULT_SERVER_OPTIONS,
  DEFAULT_CACHE,
  isLoopback,
  type ServerOptions,
  type ServerContext,
  type ServerPlugin,
  type CacheConfig,
} from './options.js';
export { sendError } from './reply.js';
