import type { ServerStepStats } from './prom.js';

/** closed: a fixed number of connections each sending its next request when the last one answers.
 *  open: requests sent at a fixed rate whatever the answers (latency measured from the intended send time). */
export type LoadMode = 'closed' | 'open';

/** One step the planner asks the generator to run. */
export interface StepSpec {
  mode: LoadMode;
  /** closed: connections; open: the most connections the generator may open. */
  concurrency: number;
  /** open only: requests per second to offer. */
  rate: number | null;
  warmupMs: number;
  durationMs: number;
  /** Hard cap on requests sent in the measured window (bounded loops). */
  maxRequests: number;
  /** Why the planner chose the step: the sweep itself or a refinement between a pass and a fail. */
  phase: 'sweep' | 'refine';
}

export interface LatencyMs {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  mean: number;
  min: number;
  max: number;
}

/** What the generator measured in one step (client side). */
export interface ClientStep {
  /** Measured window, seconds. */
  durationS: number;
  /** Requests started in the measured window. */
  sent: number;
  /** 2xx answers. */
  ok: number;
  /** Non-2xx answers other than shed, and transport errors. */
  errors: number;
  /** 429 and 503 answers (the server shedding load). */
  shed: number;
  /** Requests with no answer within the request timeout. */
  timeouts: number;
  /** open only: requests the generator could not send (its backlog bound was hit): the server is far past capacity. */
  dropped: number;
  /** Successful answers per second over the window. */
  rps: number;
  latencyMs: LatencyMs;
  /** The generator's own CPU use over the window, 0..1 of one core (to show it was not the bottleneck). */
  generatorCpu: number | null;
  /** open loop: how late the generator sent requests that found a free connection, ms (null in closed loop). */
  sendLagMs: { p50: number; p99: number } | null;
  /** Status codes seen (code → count), for diagnosis. */
  statuses: Record<string, number>;
}

export interface StepResult extends ClientStep {
  mode: LoadMode;
  concurrency: number;
  /** open only: offered rate. */
  offeredRps: number | null;
  phase: 'sweep' | 'refine';
  server: ServerStepStats;
  /** Cost per query as reported (server CPU based, else null). */
  costPerQuery: number | null;
  /** Whether the step met the SLO (P99, error rate and, open loop, keeping up with the offered rate). */
  sloOk: boolean;
}

export interface SloOptions {
  sloMs: number;
  /** Largest (errors + shed + timeouts + dropped) / sent that still counts as "no degradation". */
  maxErrorRate: number;
  /** open loop: smallest achieved / offered that counts as keeping up. */
  minRateRatio: number;
}

export const DEFAULT_SLO: SloOptions = { sloMs: 50, maxErrorRate: 0.01, minRateRatio: 0.95 };

/** The answers a sweep exists for. */
export interface SloAnswer {
  /** Most concurrent users (closed-loop connections) with P99 under the SLO, or null. */
  sloMaxConcurrency: number | null;
  /** Highest successful requests/s with P99 under the SLO, or null. */
  sloMaxRps: number | null;
  /** Cost per query and per million at the sloMaxRps step (null without server CPU figures). */
  costPerQuery: number | null;
  costPerMillion: number | null;
  /** The step index (in steps[]) of the sloMaxRps point. */
  sloStep: number | null;
}

/** One whole run of `elmscale bench` against one configuration. */
export interface BenchResult extends SloAnswer {
  label: string;
  target: string;
  model: string;
  sloMs: number;
  pricePerCoreHour: number;
  startedAt: string;
  steps: StepResult[];
  /** Maximum successful RPS seen at any step, SLO or not. */
  peakRps: number;
}
