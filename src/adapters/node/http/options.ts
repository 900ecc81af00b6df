import type { FastifyInstance } from 'fastify';
import type { ModelCodecs } from '../../../models/artifact/codecs.js';
import type { Model } from '../../../models/model.js';
import type { Backend } from '../../../numeric/backend.js';
import type { ServerConfig } from '../../../serving/config.js';
import type { Executor } from '../../../serving/executor.js';
import type { ServingContext } from '../../../serving/rest/context.js';
import type { PromMetrics } from '../serving/prom-metrics.js';

/**
 * What `startServer` (and `buildServing`) accept: any of the schema's options (src/serving/config.ts: flags,
 * defaults and limits are stated there once) plus what only a program can pass.
 */
export interface ServerOptions extends Partial<Omit<ServerConfig, 'backend'>> {
  /** Models built in this process (demo, tests, embedding). */
  models?: { name: string; model: Model; version?: string; bytes?: Uint8Array }[];
  /** Artifact codecs (default: every kind elmscale writes — elm, os-elm, kernel-elm, elm-int8, router, moe). */
  codecs?: ModelCodecs;
  /** Backend for decoding and inline inference (name or instance); workers take the name. */
  backend?: string | Backend | undefined;
  /** URL of a module exporting createCodecs() for workers (non-ELM kinds registered by strategies; default
   *  STRATEGY_CODECS_MODULE, which knows every kind). */
  workerCodecsModule?: string;
  /** A custom executor (remote workers, tests); overrides `workers`. */
  executor?: Executor;
  plugins?: ServerPlugin[];
}

/** The schema's options resolved (defaults filled, every value checked) plus the program-only ones. */
export type ResolvedOptions = Omit<ServerConfig, 'backend'> &
  Omit<ServerOptions, keyof ServerConfig> & { backend: string | Backend | undefined };

/** Keys of ServerOptions that are not in the schema (allowed in resolveConfig's input). */
export const PROGRAM_ONLY_OPTIONS = ['models', 'codecs', 'workerCodecsModule', 'executor', 'plugins'] as const;

/** Everything a route plugin gets: the serving context, the exporter and the server's resolved options. */
export interface ServerContext extends ServingContext {
  metrics: PromMetrics;
  options: ResolvedOptions;
}

/** Extra routes: a function given the fastify instance and the server context (edge deployment, bench). */
export type ServerPlugin = (app: FastifyInstance, ctx: ServerContext) => void | Promise<void>;

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
