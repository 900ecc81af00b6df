import type { FastifyInstance } from 'fastify';
import type { ModelCodecs } from '../../../models/artifact/codecs.js';
import type { Model } from '../../../models/model.js';
import type { Backend } from '../../../numeric/backend.js';
import type { Executor } from '../../../serving/executor.js';
import type { BalancerName } from '../../../serving/balancing/balancers.js';
import type { NonFinitePolicy } from '../../../serving/protocol/request.js';
import type { InferenceService } from '../../../serving/service.js';
import type { PromMetrics } from '../serving/prom-metrics.js';

export interface CacheConfig {
  /** Byte budget of the tensor level (parsed input → model outputs). */
  maxBytes: number;
  /** Entry limit, per level. */
  maxEntries?: number;
  ttlMs?: number;
  /**
   * Byte budget of the reply level (exact request bytes → serialised reply, request copy included); default
   * `maxBytes`, 0 = reply level off. The two levels have separate budgets, so the cache holds at most the sum.
   */
  replyMaxBytes?: number;
}

/** Everything a route plugin gets: the service, metrics and the server's options. */
export interface ServerContext {
  service: InferenceService;
  metrics: PromMetrics;
  options: ResolvedOptions;
  /** Load an artifact (bytes or a path inside modelsDir) as name/version. */
  loadArtifact(
    name: string,
    src: { bytes: Uint8Array } | { path: string },
    o?: { version?: string; makeDefault?: boolean },
  ): Promise<{ name: string; version: string; contentHash: string }>;
}

/** Extra routes: a function given the fastify instance and the server context (edge deployment, bench). */
export type ServerPlugin = (app: FastifyInstance, ctx: ServerContext) => void | Promise<void>;

export interface ServerOptions {
  host?: string;
  /** 0 = a free port. */
  port?: number;
  /** Bearer token for repository/admin endpoints. Required when host is not loopback. */
  token?: string;
  /** Model directory: scanned at start; the only place path loads may read from. */
  modelsDir?: string;
  /** Artifact files to load at start (name = file name without .elm unless given). */
  modelFiles?: { path: string; name?: string; version?: string }[];
  /** Models built in this process (demo, tests, embedding). */
  models?: { name: string; model: Model; version?: string; bytes?: Uint8Array }[];
  /** 0 = inline (inference on the event loop); n = n worker threads. */
  workers?: number;
  balancer?: BalancerName;
  maxBatchRows?: number;
  maxQueueDelayUs?: number;
  /** Batch-size cap follows the measured compute cost per row (default true); false = fixed maxBatchRows. */
  adaptiveBatching?: boolean;
  /** Rows waiting per model version before 503. */
  maxQueueRows?: number;
  /** Concurrent inference requests before 503. */
  maxInflight?: number;
  /** Largest request body, bytes. */
  bodyLimit?: number;
  /** Largest batch a single request may carry. */
  maxRowsPerRequest?: number;
  nonFinite?: NonFinitePolicy;
  /** Response cache (false = off). */
  cache?: CacheConfig | false;
  /** Retry-After on 503s, seconds. */
  retryAfterS?: number;
  pricePerCoreHour?: number;
  codecs?: ModelCodecs;
  /** Backend for decoding and inline inference (name or instance); workers take the name. */
  backend?: string | Backend;
  /** URL of a module exporting createCodecs() for workers (non-ELM kinds registered by strategies). */
  workerCodecsModule?: string;
  /** A custom executor (remote workers, tests); overrides `workers`. */
  executor?: Executor;
  plugins?: ServerPlugin[];
  logger?: boolean;
  /** Server name reported by GET /v2. */
  name?: string;
}

export type ResolvedOptions = Required<
  Pick<
    ServerOptions,
    | 'host'
    | 'port'
    | 'workers'
    | 'balancer'
    | 'maxBatchRows'
    | 'maxQueueDelayUs'
    | 'maxQueueRows'
    | 'maxInflight'
    | 'bodyLimit'
    | 'maxRowsPerRequest'
    | 'nonFinite'
    | 'retryAfterS'
    | 'pricePerCoreHour'
    | 'name'
  >
> &
  ServerOptions;

export const DEFAULT_SERVER_OPTIONS = {
  host: '127.0.0.1',
  port: 8000,
  workers: 0,
  balancer: 'least-outstanding',
  maxBatchRows: 64,
  maxQueueDelayUs: 0,
  maxQueueRows: 4096,
  maxInflight: 4096,
  bodyLimit: 16 * 1024 * 1024,
  maxRowsPerRequest: 4096,
  nonFinite: 'reject',
  retryAfterS: 1,
  pricePerCoreHour: 0.05,
  name: 'elmscale',
} as const satisfies Partial<ServerOptions>;

export const DEFAULT_CACHE: CacheConfig = { maxBytes: 64 * 1024 * 1024, maxEntries: 100_000, ttlMs: 60_000 };

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
