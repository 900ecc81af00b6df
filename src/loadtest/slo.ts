import type { ClientStep, LoadMode, SloAnswer, SloOptions, StepResult } from './types.js';

/** Whether a measured step meets the SLO: enough answers, P99 under it, few failures, and (open) keeping up. */
export function meetsSlo(
  s: Pick<ClientStep, 'sent' | 'ok' | 'errors' | 'shed' | 'timeouts' | 'dropped' | 'rps' | 'latencyMs'>,
  offeredRps: number | null,
  o: SloOptions,
): boolean {
  if (s.ok === 0) return false;
  const failed = s.errors + s.shed + s.timeouts + s.dropped;
  if (failed / Math.max(1, s.sent + s.dropped) > o.maxErrorRate) return false;
  if (s.latencyMs.p99 > o.sloMs) return false;
  if (offeredRps !== null && s.rps < offeredRps * o.minRateRatio) return false;
  return true;
}

/** The load a step applied: connections (closed) or offered rate (open). */
export function loadOf(s: { mode: LoadMode; concurrency: number; offeredRps: number | null }): number {
  return s.mode === 'open' ? (s.offeredRps ?? 0) : s.concurrency;
}

/**
 * The largest load of a mode that passes with every lighter step of that mode also passing (a noisy pass above a
 * failure does not count: the answer is the knee seen from below). Undefined when the lightest step already fails.
 */
export function kneeLoad(steps: StepResult[], mode: LoadMode): number | undefined {
  const ofMode = steps.filter((s) => s.mode === mode).sort((a, b) => loadOf(a) - loadOf(b));
  let best: number | undefined;
  for (const s of ofMode) {
    if (!s.sloOk) break;
    best = loadOf(s);
  }
  return best;
}

/** Derive the answers of a sweep: max concurrency and max RPS under the SLO, and the cost at that point. */
export function sloAnswer(steps: StepResult[]): SloAnswer {
  const closedKnee = kneeLoad(steps, 'closed');
  const openKnee = kneeLoad(steps, 'open');
  let bestIdx: number | null = null;
  steps.forEach((s, i) => {
    if (!s.sloOk) return;
    const knee = s.mode === 'closed' ? closedKnee : openKnee;
    if (knee === undefined || loadOf(s) > knee) return;
    if (bestIdx === null || s.rps > steps[bestIdx].rps) bestIdx = i;
  });
  const best = bestIdx === null ? undefined : steps[bestIdx];
  const cost = best?.costPerQuery ?? null;
  return {
    sloMaxConcurrency: closedKnee ?? null,
    sloMaxRps: best ? best.rps : null,
    costPerQuery: cost,
    costPerMillion: cost === null ? null : cost * 1e6,
    sloStep: bestIdx,
  };
}
