/**
 * The platform-free half of `elmscale bench`: what it is asked to do (the command's options), the sweep plan and SLO
 * they give, the server a configuration needs, and the result document. The Node half (starting servers, the run
 * loop) is adapters/node/loadtest/bench.ts.
 */
import { ElmError } from '../core/errors.js';
import { compareResults, type Comparison, type ConfigSpec } from './compare.js';
import {
  FULL_PLAN,
  QUICK_PLAN,
  SweepPlanner,
  parseLevels,
  validatePlan,
  type SweepMode,
  type SweepPlan,
} from './plan.js';
import { fmtNum } from './svg.js';
import { parseTarget } from './target.js';
import { DEFAULT_SLO, type BenchResult, type SloOptions, type StepResult, type StepSpec } from './types.js';

/** Overrides of the sweep plan (`--quick` picks the short plan; every other field replaces the plan's value). */
export interface PlanOverrides {
  quick?: boolean;
  mode?: string;
  /** Closed-loop levels: "1,2,4" or "1..256" (doubling). */
  concurrency?: string;
  /** Open-loop rates, req/s, same grammar. */
  rates?: string;
  warmup?: number;
  preWarm?: number;
  duration?: number;
  refine?: number;
  connections?: number;
  maxSteps?: number;
  /** Seconds. */
  maxTime?: number;
}

/** Everything `elmscale bench` is asked to do (the command's options, as commander names them). */
export interface BenchInput extends PlanOverrides {
  /** Target server; without it the benchmark starts `elmscale demo` on a free loopback port. */
  url?: string;
  model?: string;
  sloMs: number;
  maxErrorRate: number;
  pricePerCoreHour: number;
  timeoutMs: number;
  rows: number;
  distinct: number;
  seed: number;
  /** A file holding the JSON request body to send instead of generated ones. */
  body?: string;
  /** Extra arguments for the started server, whitespace-separated. */
  serverArgs?: string;
  /** Keep the response cache on in the started server. */
  serverCache?: boolean;
  serverCores?: number;
  /** --compare items: presets or label=ARGS (compare.ts). */
  compare?: string[];
}

/** The sweep plan: --quick or the full defaults, overridden by explicit options. */
export function planFromOptions(f: PlanOverrides): SweepPlan {
  const base = f.quick ? QUICK_PLAN : FULL_PLAN;
  const mode = (f.mode ?? base.mode) as SweepMode;
  if (!['closed', 'open', 'both'].includes(mode))
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `--mode must be closed|open|both, got "${mode}"`);
  return validatePlan({
    ...base,
    mode,
    concurrency: f.concurrency ? parseLevels(f.concurrency, '--concurrency').map(Math.round) : base.concurrency,
    rates: f.rates ? parseLevels(f.rates, '--rates') : base.rates,
    preWarmMs: f.preWarm ?? base.preWarmMs,
    warmupMs: f.warmup ?? base.warmupMs,
    durationMs: f.duration ?? base.durationMs,
    refine: f.refine ?? base.refine,
    maxConnections: f.connections ?? base.maxConnections,
    maxSteps: f.maxSteps ?? base.maxSteps,
    maxTotalMs: f.maxTime !== undefined ? f.maxTime * 1000 : base.maxTotalMs,
  });
}

/** Check the input before anything starts: the plan, the SLO, the price and the target URL. */
export function checkInput(f: BenchInput): { plan: SweepPlan; slo: SloOptions } {
  const plan = planFromOptions(f);
  const slo: SloOptions = { ...DEFAULT_SLO, sloMs: f.sloMs, maxErrorRate: f.maxErrorRate };
  if (!(slo.sloMs > 0)) throw new ElmError('ELM_ERR_INVALID_ARGUMENT', '--slo-ms must be > 0');
  if (!(f.pricePerCoreHour >= 0)) throw new ElmError('ELM_ERR_INVALID_ARGUMENT', '--price-per-core-hour must be ≥ 0');
  if (f.url) parseTarget(f.url);
  return { plan, slo };
}

function splitArgs(s: string | undefined): string[] {
  return (s ?? '').split(/\s+/).filter((x) => x !== '');
}

/**
 * The server a configuration targets: a URL, or (undefined) the arguments of the `elmscale demo` to start on a
 * loopback port. A --compare configuration that changes server options cannot use a given --url.
 */
export function serverFor(f: BenchInput, cfg: ConfigSpec | undefined): { url: string } | { args: string[] } {
  const url = cfg?.url ?? f.url;
  if (url && cfg && cfg.serverArgs.length > 0) {
    throw new ElmError(
      'ELM_ERR_INVALID_ARGUMENT',
      `--compare "${cfg.label}" changes server options, which needs the benchmark to start the server (drop --url)`,
    );
  }
  if (url) return { url };
  return {
    args: [
      'demo',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--price-per-core-hour',
      String(f.pricePerCoreHour),
      ...((cfg?.cache ?? f.serverCache) ? [] : ['--no-cache']),
      ...splitArgs(f.serverArgs),
      ...(cfg?.serverArgs ?? []),
    ],
  };
}

/** A configuration's label and model: given ones first; a started demo server is "elmscale demo" with `digits`. */
export function configIdentity(
  f: BenchInput,
  cfg: ConfigSpec | undefined,
  targetUrl: string,
  started: boolean,
): { label: string; model: string | undefined } {
  return {
    label: cfg?.label ?? (started ? 'elmscale demo' : targetUrl),
    model: cfg?.model ?? f.model ?? (started ? 'digits' : undefined),
  };
}

/** Steps the planner expects to run (for a progress bar). */
export function estimateSteps(plan: SweepPlan): number {
  return Math.ceil(new SweepPlanner(plan).estimateMs() / (plan.warmupMs + plan.durationMs));
}

/** How a step is shown while it runs. */
export function stepLabel(s: StepSpec): string {
  return s.mode === 'closed' ? `closed c=${s.concurrency}` : `open ${fmtNum(s.rate ?? 0)}/s`;
}

/** Progress of a benchmark run, for a progress bar or a log. */
export interface BenchProgress {
  /** A configuration's sweep starts, with the steps the planner expects. */
  begin(label: string, steps: number): void;
  /** What is happening now (starting the server, pre-warm, a step). */
  status(desc: string): void;
  /** Fraction of the current step done. */
  tick(fraction: number): void;
  /** A step finished. */
  end(step: StepResult): void;
}

/** The machine the generator ran on, and how busy it was. */
export interface GeneratorInfo {
  node: string;
  cpus: number;
  cpuModel: string;
  /** 1-minute load average before and after: other work on the machine competes with server and generator. */
  loadavg: number[];
  plan: SweepPlan;
}

/** The JSON document of a run: the first configuration's result, plus every configuration and ratios when compared. */
export type BenchDocument = BenchResult & {
  configs?: BenchResult[];
  comparison?: Comparison;
  generator: GeneratorInfo;
};

export function benchDocument(results: BenchResult[], generator: GeneratorInfo): BenchDocument {
  const comparison = results.length > 1 ? compareResults(results) : undefined;
  return comparison ? { ...results[0], configs: results, comparison, generator } : { ...results[0], generator };
}

/** The notes at the top of the HTML report: where generator and server ran, machine load, the plan. */
export function reportNotes(f: BenchInput, g: GeneratorInfo): string[] {
  const plan = g.plan;
  return [
    `Generator: node ${g.node} on ${g.cpus} cores (${g.cpuModel}); the server ran ${f.url ? `at ${f.url}` : 'as a child process on the same machine'}.`,
    `Machine load average (1 min) before / after the run: ${g.loadavg.join(' / ')} on ${g.cpus} cores — other work competes with the server and the generator.`,
    `Plan: mode ${plan.mode}, warm-up ${plan.warmupMs} ms, ${plan.durationMs} ms per step${f.quick ? ' (--quick)' : ''}.`,
  ];
}
