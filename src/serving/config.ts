import { BALANCERS, type BalancerName } from './balancing/balancers.js';
import type { NonFinitePolicy } from './protocol/request.js';
import type { Scope } from './rest/auth.js';

/**
 * The server's configuration schema: every option once, with its flag, type, default, validation and description.
 * The `serve` command's flags, the `--config` JSON file and `startServer`'s resolved options all derive from it,
 * so a default or a limit is stated here and nowhere else.
 */
export interface ServerConfig {
  host: string;
  port: number;
  token: string | undefined;
  /** Scopes the token protects (`admin`, `inference`, `metrics`). */
  protect: Scope[];
  /** Origins whose pages may call inference and metrics routes ("*" = any); admin stays same-origin. */
  allowOrigins: string[];
  /** Host header values accepted besides loopback names, when bound to loopback (DNS-rebinding guard). */
  allowHosts: string[];
  modelsDir: string | undefined;
  modelFiles: { path: string; name?: string; version?: string }[];
  workers: number;
  balancer: BalancerName;
  maxBatchRows: number;
  maxQueueDelayUs: number;
  adaptiveBatching: boolean;
  maxQueueRows: number;
  maxInflight: number;
  bodyLimit: number;
  maxRowsPerRequest: number;
  nonFinite: NonFinitePolicy;
  cache: boolean;
  cacheBytes: number;
  cacheEntries: number;
  cacheTtlMs: number;
  /** Byte budget of the reply level; undefined = the same as cacheBytes, 0 = reply level off. */
  cacheReplyBytes: number | undefined;
  retryAfterS: number;
  pricePerCoreHour: number;
  backend: string | undefined;
  name: string;
  logger: boolean;
  /** NATS URL(s) of the cluster to join; undefined = a stand-alone server. */
  cluster: string | undefined;
  /** This node's id in the cluster (default: host name and process id). */
  nodeId: string | undefined;
  /** Per-attempt timeout of requests forwarded to another node, ms. */
  clusterTimeoutMs: number;
  /** Copies of the cluster's KV buckets and object store when this node creates them. */
  clusterReplicas: number;
}

type Kind = 'int' | 'number' | 'string' | 'boolean' | 'choice' | 'list' | 'files';

export interface OptionSpec {
  /** Commander flag text; a boolean that defaults to true is spelled `--no-…`. */
  flag: string;
  kind: Kind;
  default: unknown;
  description: string;
  min?: number;
  max?: number;
  choices?: readonly string[];
  /** Environment variable read when neither the flag nor the config file sets the option. */
  env?: string;
  /** Printed instead of the value in help and logs (secrets). */
  secret?: boolean;
}

const MiB = 1024 * 1024;

export const SERVER_SCHEMA: { readonly [K in keyof ServerConfig]: OptionSpec } = {
  host: {
    flag: '--host <host>',
    kind: 'string',
    default: '127.0.0.1',
    description: 'interface to listen on (non-loopback needs --token)',
  },
  port: { flag: '--port <n>', kind: 'int', default: 8000, min: 0, max: 65535, description: 'port (0 = a free one)' },
  token: {
    flag: '--token <token>',
    kind: 'string',
    default: undefined,
    env: 'ELMSCALE_TOKEN',
    secret: true,
    description: 'bearer token for the protected scopes',
  },
  protect: {
    flag: '--protect <scopes>',
    kind: 'list',
    default: ['admin'],
    choices: ['admin', 'inference', 'metrics'],
    description: 'comma-separated scopes the token protects: admin, inference, metrics',
  },
  allowOrigins: {
    flag: '--allow-origin <origins>',
    kind: 'list',
    default: [],
    description:
      'comma-separated origins whose pages may call inference and metrics routes ("*" = any); admin routes stay same-origin',
  },
  allowHosts: {
    flag: '--allow-host <hosts>',
    kind: 'list',
    default: [],
    description:
      'comma-separated Host names accepted besides loopback ones when bound to loopback (DNS-rebinding guard)',
  },
  modelsDir: {
    flag: '--models <dir>',
    kind: 'string',
    default: undefined,
    description: 'model directory: <name>.elm or <name>/<version>/*.elm; the only place path loads read',
  },
  modelFiles: {
    flag: '--model <file>',
    kind: 'files',
    default: [],
    description: 'serve an .elm artifact (repeatable; name = file name)',
  },
  workers: {
    flag: '--workers <n>',
    kind: 'int',
    default: 0,
    min: 0,
    max: 1024,
    description: 'inference worker threads (0 = inline on the event loop)',
  },
  balancer: {
    flag: '--balancer <name>',
    kind: 'choice',
    default: 'least-outstanding',
    choices: Object.keys(BALANCERS),
    description: 'how requests are spread over workers',
  },
  maxBatchRows: {
    flag: '--max-batch-rows <n>',
    kind: 'int',
    default: 64,
    min: 1,
    description: 'dynamic batching: largest batch in rows (1 = off)',
  },
  maxQueueDelayUs: {
    flag: '--max-queue-delay-us <n>',
    kind: 'number',
    default: 0,
    min: 0,
    description: 'dynamic batching: longest wait for a fuller batch, µs',
  },
  adaptiveBatching: {
    flag: '--no-adaptive-batching',
    kind: 'boolean',
    default: true,
    description: 'always batch up to --max-batch-rows (default: cap at the cheapest size measured)',
  },
  maxQueueRows: {
    flag: '--max-queue-rows <n>',
    kind: 'int',
    default: 4096,
    min: 1,
    description: 'rows waiting per model version before 503',
  },
  maxInflight: {
    flag: '--max-inflight <n>',
    kind: 'int',
    default: 4096,
    min: 1,
    description: 'concurrent inference requests before 503',
  },
  bodyLimit: {
    flag: '--body-limit <bytes>',
    kind: 'int',
    default: 16 * MiB,
    min: 1,
    description: 'largest request body',
  },
  maxRowsPerRequest: {
    flag: '--max-rows-per-request <n>',
    kind: 'int',
    default: 4096,
    min: 1,
    description: 'largest batch one request may carry',
  },
  nonFinite: {
    flag: '--non-finite <policy>',
    kind: 'choice',
    default: 'reject',
    choices: ['reject', 'allow'],
    description: 'NaN/Infinity in inputs',
  },
  cache: { flag: '--no-cache', kind: 'boolean', default: true, description: 'disable the response cache' },
  cacheBytes: {
    flag: '--cache-bytes <n>',
    kind: 'int',
    default: 64 * MiB,
    min: 0,
    description: 'response cache byte budget (tensor level)',
  },
  cacheEntries: {
    flag: '--cache-entries <n>',
    kind: 'int',
    default: 100_000,
    min: 1,
    description: 'response cache entry limit, per level',
  },
  cacheTtlMs: {
    flag: '--cache-ttl-ms <n>',
    kind: 'number',
    default: 60_000,
    min: 0,
    description: 'response cache time to live, ms',
  },
  cacheReplyBytes: {
    flag: '--cache-reply-bytes <n>',
    kind: 'int',
    default: undefined,
    min: 0,
    description: 'byte budget of the reply level (exact request bytes → reply; default = --cache-bytes, 0 = off)',
  },
  retryAfterS: {
    flag: '--retry-after <s>',
    kind: 'number',
    default: 1,
    min: 0,
    description: 'Retry-After hint on 503 answers, seconds',
  },
  pricePerCoreHour: {
    flag: '--price-per-core-hour <x>',
    kind: 'number',
    default: 0.05,
    min: 0,
    description: 'price of one core-hour, for the cost-per-query metrics',
  },
  backend: {
    flag: '--backend <name>',
    kind: 'string',
    default: undefined,
    env: 'ELMSCALE_BACKEND',
    description: 'numeric backend for inference (wasm | js)',
  },
  name: { flag: '--name <name>', kind: 'string', default: 'elmscale', description: 'server name reported by GET /v2' },
  cluster: {
    flag: '--cluster <url>',
    kind: 'string',
    default: undefined,
    env: 'ELMSCALE_CLUSTER',
    secret: true,
    description:
      'join the cluster on these NATS servers (comma-separated URLs; credentials in the URL or ELMSCALE_NATS_*)',
  },
  nodeId: {
    flag: '--node-id <id>',
    kind: 'string',
    default: undefined,
    description: "this node's id in the cluster (default: host name and process id)",
  },
  clusterTimeoutMs: {
    flag: '--cluster-timeout-ms <n>',
    kind: 'int',
    default: 2000,
    min: 1,
    description: 'per-attempt timeout of requests forwarded to another node (one retry elsewhere after it)',
  },
  clusterReplicas: {
    flag: '--cluster-replicas <n>',
    kind: 'int',
    default: 1,
    min: 1,
    max: 5,
    description: 'copies of the cluster buckets when this node creates them (3 with a 3-server JetStream cluster)',
  },
  logger: { flag: '--log', kind: 'boolean', default: false, description: 'log every request (fastify/pino) to stdout' },
};

export const SERVER_DEFAULTS: Readonly<ServerConfig> = Object.fromEntries(
  Object.entries(SERVER_SCHEMA).map(([k, s]) => [k, s.default]),
) as unknown as ServerConfig;
