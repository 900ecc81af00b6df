import { ElmError } from '../core/errors.js';
import type { BenchResult } from './types.js';

export interface CompareRow {
  label: string;
  sloMaxConcurrency: number | null;
  sloMaxRps: number | null;
  peakRps: number;
  costPerMillion: number | null;
  /** P99 (ms) at the sloMaxRps step. */
  p99AtSloMs: number | null;
  /** This configuration over the baseline (the first): >1 means more (for cost, more expensive). */
  ratios: {
    sloMaxConcurrency: number | null;
    sloMaxRps: number | null;
    peakRps: number | null;
    costPerMillion: number | null;
  };
}

export interface Comparison {
  baseline: string;
  rows: CompareRow[];
}

const ratio = (a: number | null, b: number | null): number | null =>
  a === null || b === null || !(b > 0) || !Number.isFinite(a) ? null : a / b;

/** Side-by-side answers of several sweeps, each with its ratios to the first. */
export function compareResults(results: BenchResult[]): Comparison {
  const base = results[0];
  return {
    baseline: base?.label ?? '',
    rows: results.map((r) => ({
      label: r.label,
      sloMaxConcurrency: r.sloMaxConcurrency,
      sloMaxRps: r.sloMaxRps,
      peakRps: r.peakRps,
      costPerMillion: r.costPerMillion,
      p99AtSloMs: r.sloStep === null ? null : r.steps[r.sloStep].latencyMs.p99,
      ratios: {
        sloMaxConcurrency: ratio(r.sloMaxConcurrency, base.sloMaxConcurrency),
        sloMaxRps: ratio(r.sloMaxRps, base.sloMaxRps),
        peakRps: ratio(r.peakRps, base.peakRps),
        costPerMillion: ratio(r.costPerMillion, base.costPerMillion),
      },
    })),
  };
}

/** Configurations of a named --compare preset: [label, server args, bench directives]. */
export interface ConfigSpec {
  label: string;
  /** Extra arguments for `elmscale demo` when the benchmark starts the server. */
  serverArgs: string[];
  /** Response cache on (the benchmark turns it off by default: it measures the model, not the cache). */
  cache: boolean;
  model?: string;
  url?: string;
}

export const COMPARE_PRESETS: Record<string, ConfigSpec[]> = {
  batching: [
    { label: 'batching on', serverArgs: [], cache: false },
    { label: 'batching off', serverArgs: ['--max-batch-rows', '1'], cache: false },
  ],
  cache: [
    { label: 'cache off', serverArgs: [], cache: false },
    { label: 'cache on', serverArgs: [], cache: true },
  ],
  workers: [
    { label: '1 worker', serverArgs: ['--workers', '1'], cache: false },
    { label: '2 workers', serverArgs: ['--workers', '2'], cache: false },
  ],
  models: [
    { label: 'digits (L=1024)', serverArgs: [], cache: false, model: 'digits' },
    { label: 'digits-small (L=128)', serverArgs: [], cache: false, model: 'digits-small' },
  ],
};

/**
 * Parse `--compare` items: a preset name (batching, cache, workers, models) or `label=ARGS`, where ARGS are server
 * arguments plus the directives `@model NAME`, `@url URL` and `@cache`.
 */
export function parseCompare(items: string[]): ConfigSpec[] {
  const out: ConfigSpec[] = [];
  for (const item of items) {
    const preset = COMPARE_PRESETS[item.trim()];
    if (preset) {
      out.push(...preset.map((p) => ({ ...p, serverArgs: [...p.serverArgs] })));
      continue;
    }
    const eq = item.indexOf('=');
    if (eq <= 0) {
      throw new ElmError(
        'ELM_ERR_INVALID_ARGUMENT',
        `--compare: "${item}" is neither a preset (${Object.keys(COMPARE_PRESETS).join(', ')}) nor label=ARGS`,
      );
    }
    const spec: ConfigSpec = { label: item.slice(0, eq).trim(), serverArgs: [], cache: false };
    const toks = item
      .slice(eq + 1)
      .trim()
      .split(/\s+/)
      .filter((x) => x !== '');
    for (let i = 0; i < toks.length; i++) {
      const k = toks[i];
      if (k === '@cache') spec.cache = true;
      else if (k === '@model' || k === '@url') {
        const v = toks[++i];
        if (v === undefined)
          throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `--compare: ${k} needs a value in "${item}"`);
        if (k === '@model') spec.model = v;
        else spec.url = v;
      } else spec.serverArgs.push(k);
    }
    out.push(spec);
  }
  const labels = new Set(out.map((c) => c.label));
  if (labels.size !== out.length)
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', '--compare: configuration labels must be distinct');
  return out;
}
