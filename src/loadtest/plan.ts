import { ElmError } from '../core/errors.js';
import { kneeLoad, loadOf } from './slo.js';
import type { StepResult, StepSpec } from './types.js';

export type SweepMode = 'closed' | 'open' | 'both';

export interface SweepPlan {
  mode: SweepMode;
  /** Closed-loop levels (connections = concurrent users), ascending. */
  concurrency: number[];
  /** Open-loop rates (requests/s). Without them, `both` derives rates from the closed sweep's peak. */
  rates: number[] | null;
  /** Fractions of the closed-loop peak RPS to offer when rates are derived. */
  rateFractions: number[];
  /** One unmeasured closed-loop run before the first step, so the server's JIT and caches are warm, ms. */
  preWarmMs: number;
  warmupMs: number;
  durationMs: number;
  /** Extra bisection steps between the last passing and first failing load, per mode. */
  refine: number;
  /** Stop a mode's sweep after this many consecutive SLO failures (the curve past the knee is still shown). */
  stopAfterFails: number;
  /** Hard bounds on the whole run. */
  maxSteps: number;
  maxTotalMs: number;
  maxRequestsPerStep: number;
  /** Most connections an open-loop step may open. */
  maxConnections: number;
}

export const FULL_PLAN: SweepPlan = {
  mode: 'both',
  concurrency: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  rates: null,
  rateFractions: [0.25, 0.5, 0.75, 0.9, 1.0, 1.1],
  preWarmMs: 3000,
  warmupMs: 1000,
  durationMs: 5000,
  refine: 2,
  stopAfterFails: 2,
  maxSteps: 40,
  maxTotalMs: 15 * 60_000,
  maxRequestsPerStep: 5_000_000,
  maxConnections: 256,
};

/** `--quick`: a few short steps, well under 30 s including server start. */
export const QUICK_PLAN: SweepPlan = {
  ...FULL_PLAN,
  concurrency: [1, 4, 16, 64],
  rateFractions: [0.5, 0.9],
  preWarmMs: 1000,
  warmupMs: 300,
  durationMs: 1200,
  refine: 0,
  stopAfterFails: 2,
  maxSteps: 8,
  maxTotalMs: 20_000,
};

/** Absolute limits a user cannot raise: the request loop is bounded in count and time. */
export const LIMITS = { maxSteps: 200, maxTotalMs: 2 * 3600_000, maxConnections: 4096, maxStepMs: 600_000 };

function bad(msg: string): never {
  throw new ElmError('ELM_ERR_INVALID_ARGUMENT', msg);
}

export function validatePlan(p: SweepPlan): SweepPlan {
  const posInts = (xs: number[], what: string) => {
    if (xs.length === 0) bad(`${what}: give at least one level`);
    for (const x of xs)
      if (!Number.isInteger(x) || x < 1 || x > LIMITS.maxConnections)
        bad(`${what}: ${x} is not an integer in 1..${LIMITS.maxConnections}`);
  };
  if (p.mode !== 'open') posInts(p.concurrency, '--concurrency');
  if (p.mode === 'open' && !p.rates) bad('--mode open needs --rates (or use --mode both to derive them)');
  if (p.rates)
    for (const r of p.rates) if (!(r > 0) || !Number.isFinite(r)) bad(`--rates: ${r} is not a positive rate`);
  for (const f of p.rateFractions) if (!(f > 0 && f <= 10)) bad(`rate fraction ${f} out of range`);
  if (!(p.preWarmMs >= 0) || p.preWarmMs > LIMITS.maxStepMs) bad('--pre-warm must be 0..600000 ms');
  if (!(p.warmupMs >= 0) || !(p.durationMs > 0) || p.warmupMs + p.durationMs > LIMITS.maxStepMs)
    bad(`--warmup/--duration must be ≥ 0 / > 0 and together at most ${LIMITS.maxStepMs / 1000} s`);
  if (!Number.isInteger(p.refine) || p.refine < 0 || p.refine > 10) bad('--refine must be an integer in 0..10');
  if (!Number.isInteger(p.maxConnections) || p.maxConnections < 1 || p.maxConnections > LIMITS.maxConnections)
    bad(`--connections must be an integer in 1..${LIMITS.maxConnections}`);
  return {
    ...p,
    concurrency: [...new Set(p.concurrency)].sort((a, b) => a - b),
    rates: p.rates ? [...new Set(p.rates)].sort((a, b) => a - b) : null,
    maxSteps: Math.min(p.maxSteps, LIMITS.maxSteps),
    maxTotalMs: Math.min(p.maxTotalMs, LIMITS.maxTotalMs),
    stopAfterFails: Math.max(1, p.stopAfterFails),
  };
}

/** Parse "1,2,4" or "1..64" (doubling) into levels. */
export function parseLevels(s: string, what: string): number[] {
  const range = /^\s*(\d+(?:\.\d+)?)\s*\.\.\s*(\d+(?:\.\d+)?)\s*$/.exec(s);
  if (range) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    if (!(lo > 0) || hi < lo) bad(`${what}: bad range "${s}"`);
    const out: number[] = [];
    for (let x = lo; x <= hi && out.length < 64; x *= 2) out.push(x);
    if (out[out.length - 1] !== hi) out.push(hi);
    return out;
  }
  const xs = s.split(',').map((t) => Number(t.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x) || x <= 0))
    bad(`${what}: expected "1,2,4" or "1..64", got "${s}"`);
  return xs;
}

/**
 * Chooses the next step from the results so far: the geometric sweep of each mode (stopping a few failures past
 * the knee), then bisection between the last passing and first failing load. Pure: same results, same plan.
 */
export class SweepPlanner {
  private plannedMs = 0;
  readonly p: SweepPlan;

  constructor(plan: SweepPlan) {
    this.p = validatePlan(plan);
  }

  /** Estimated duration of a run of at most maxSteps, ms (for the progress bar). */
  estimateMs(): number {
    const closed = this.p.mode === 'open' ? 0 : this.p.concurrency.length + this.p.refine;
    const open = this.p.mode === 'closed' ? 0 : (this.p.rates?.length ?? this.p.rateFractions.length) + this.p.refine;
    const n = Math.min(this.p.maxSteps, closed + open);
    return Math.min(this.p.maxTotalMs, n * (this.p.warmupMs + this.p.durationMs));
  }

  next(done: StepResult[]): StepSpec | undefined {
    if (done.length >= this.p.maxSteps) return undefined;
    if (this.plannedMs + this.p.warmupMs + this.p.durationMs > this.p.maxTotalMs) return undefined;
    const s = this.choose(done);
    if (s) this.plannedMs += s.warmupMs + s.durationMs;
    return s;
  }

  private step(mode: 'closed' | 'open', load: number, phase: 'sweep' | 'refine'): StepSpec {
    const p = this.p;
    return {
      mode,
      concurrency: mode === 'closed' ? load : p.maxConnections,
      rate: mode === 'open' ? load : null,
      warmupMs: p.warmupMs,
      durationMs: p.durationMs,
      maxRequests:
        mode === 'open'
          ? Math.min(p.maxRequestsPerStep, Math.ceil((load * p.durationMs) / 1000) + 1)
          : p.maxRequestsPerStep,
      phase,
    };
  }

  private choose(done: StepResult[]): StepSpec | undefined {
    if (this.p.mode !== 'open') {
      const s = this.chooseMode(done, 'closed', this.p.concurrency, true);
      if (s) return s;
    }
    if (this.p.mode !== 'closed') {
      const rates = this.p.rates ?? this.derivedRates(done);
      if (rates.length > 0) return this.chooseMode(done, 'open', rates, false);
    }
    return undefined;
  }

  private derivedRates(done: StepResult[]): number[] {
    const peak = Math.max(0, ...done.filter((s) => s.mode === 'closed').map((s) => s.rps));
    if (!(peak > 0)) return [];
    return [...new Set(this.p.rateFractions.map((f) => Math.max(1, Math.round(peak * f))))].sort((a, b) => a - b);
  }

  private chooseMode(
    done: StepResult[],
    mode: 'closed' | 'open',
    levels: number[],
    integer: boolean,
  ): StepSpec | undefined {
    const mine = done.filter((s) => s.mode === mode);
    const sweep = mine.filter((s) => s.phase === 'sweep');
    let tailFails = 0;
    for (let i = sweep.length - 1; i >= 0 && !sweep[i].sloOk; i--) tailFails++;
    if (tailFails < this.p.stopAfterFails && sweep.length < levels.length) {
      return this.step(mode, levels[sweep.length], 'sweep');
    }
    const refined = mine.filter((s) => s.phase === 'refine').length;
    if (refined >= this.p.refine) return undefined;
    const knee = kneeLoad(mine, mode);
    if (knee === undefined) return undefined;
    const above = mine.filter((s) => !s.sloOk && loadOf(s) > knee).map(loadOf);
    if (above.length === 0) return undefined;
    const fail = Math.min(...above);
    const mid = integer ? Math.floor((knee + fail) / 2) : Math.round((knee + fail) / 2);
    if (mid <= knee || mid >= fail || (!integer && (fail - knee) / knee < 0.05)) return undefined;
    if (mine.some((s) => loadOf(s) === mid)) return undefined;
    return this.step(mode, mid, 'refine');
  }
}
