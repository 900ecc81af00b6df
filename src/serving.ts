/**
 * elmscale/serving — the transport-neutral serving core, platform-free: put any transport in front of it.
 *
 *   const service = new InferenceService({ executor: new InlineExecutor(), scheduler: webScheduler, wallMs: Date.now });
 *   await service.load('digits', { model });
 *   const handler = createFetchHandler(createServingContext({ service }));   // (Request) => Promise<Response>
 *
 * The pieces: InferenceService (registry, batching, tensor cache, statistics), InferPipeline (request bytes →
 * answer, with admission and the reply cache), the REST route table and router, the configuration schema, and the
 * fetch adapter. Node's fastify server, worker pool and Prometheus exporter are in `elmscale/node`.
 */
export { InferenceService, DEFAULT_BATCHING } from './serving/service.js';
export type { ServiceOptions, BatchingOptions, LoadOptions, InferResult, ReplyLookup } from './serving/service.js';
export { InlineExecutor, type Executor, type ServedModel } from './serving/executor.js';
export {
  InferPipeline,
  decodeBody,
  type InferCall,
  type InferFront,
  type PipelineOptions,
} from './serving/pipeline.js';
export { AdmissionLimiter } from './serving/admission.js';
export { errorAnswer, jsonAnswer, JSON_TYPE, BINARY_TYPE, type Answer } from './serving/answer.js';
export { webScheduler, ManualScheduler, type Scheduler } from './serving/scheduler.js';
export {
  ModelRegistry,
  compareVersions,
  checkModelName,
  type ModelEntry,
  type ModelState,
} from './serving/registry.js';
export { NOOP_METRICS, outcomeFor, type ServingMetrics, type Outcome } from './serving/metrics.js';
export {
  LruCache,
  ShardedLruCache,
  type ResponseCache,
  type CacheStats,
  type CacheOptions,
} from './serving/caching/cache.js';
export {
  dynamicBatching,
  adaptiveBatching,
  noBatching,
  type BatchPolicy,
  type BatchDecision,
  type QueueState,
  type DynamicBatchOptions,
} from './serving/batching/policy.js';
export { BALANCERS, balancerByName, type BalancerName } from './serving/balancing/balancers.js';
export { parseInferRequest, type NonFinitePolicy, type ParsedInfer } from './serving/protocol/request.js';
export { shapeResponse } from './serving/protocol/response.js';
export { httpStatusFor } from './serving/protocol/status.js';
export type * from './serving/protocol/types.js';
export { SERVER_SCHEMA, SERVER_DEFAULTS, type ServerConfig, type OptionSpec } from './serving/config.js';
export { resolveConfig, checkOption } from './serving/config-check.js';
export { Authorizer, PROTECTABLE_SCOPES, type Scope, type AuthOptions } from './serving/rest/auth.js';
export {
  createServingContext,
  type ServingContext,
  type ServingContextOptions,
  type ArtifactSource,
  type LoadedArtifact,
} from './serving/rest/context.js';
export { modelPaths, type Route, type RouteRequest } from './serving/rest/route.js';
export { restRoutes, runRoute, RestRouter, unroutedAnswer, type Match } from './serving/rest/router.js';
export { createFetchHandler, type FetchHandler } from './adapters/fetch/handler.js';
