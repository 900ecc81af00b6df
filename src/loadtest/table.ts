import type { Comparison } from './compare.js';
import { fmtNum } from './svg.js';
import type { BenchResult, StepResult } from './types.js';

const dash = '–';
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const pct = (v: number | null) => (v === null ? dash : `${(v * 100).toFixed(0)}%`);
const money = (v: number | null) =>
  v === null ? dash : v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(2);
const x = (v: number | null) => (v === null ? dash : `${v.toFixed(2)}×`);

/** Render rows as an aligned text table (first column left-aligned, the rest right-aligned). */
export function textTable(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(head), w.map((n) => '─'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

export function stepRow(s: StepResult): string[] {
  return [
    s.mode === 'closed' ? `closed c=${s.concurrency}` : `open ${fmtNum(s.offeredRps ?? 0)}/s`,
    fmtNum(s.rps),
    ms(s.latencyMs.p50),
    ms(s.latencyMs.p90),
    ms(s.latencyMs.p99),
    ms(s.latencyMs.p999),
    String(s.errors + s.timeouts),
    String(s.shed),
    String(s.dropped),
    pct(s.server.cpuUtilisation),
    money(s.server.costPerMillion),
    s.sloOk ? 'ok' : 'MISS',
  ];
}

export const STEP_HEAD = [
  'step',
  'req/s',
  'p50 ms',
  'p90 ms',
  'p99 ms',
  'p99.9 ms',
  'err',
  'shed',
  'drop',
  'cpu',
  '$/1M',
  'SLO',
];

/** The per-step table and the answers of one sweep. */
export function formatResult(r: BenchResult): string {
  const lines = [
    `${r.label}: ${r.model} at ${r.target}  (SLO: P99 ≤ ${r.sloMs} ms; ${r.pricePerCoreHour}/core-hour)`,
    textTable(STEP_HEAD, r.steps.map(stepRow)),
    '',
    `max concurrent users under the SLO: ${r.sloMaxConcurrency ?? 'none'}`,
    `max req/s under the SLO:            ${r.sloMaxRps === null ? 'none' : fmtNum(r.sloMaxRps)}  (peak ${fmtNum(r.peakRps)})`,
    `cost at that point:                 ${r.costPerQuery === null ? dash : `${r.costPerQuery.toPrecision(3)} per query, ${money(r.costPerMillion)} per 1M queries`}`,
  ];
  return lines.join('\n');
}

export function formatComparison(c: Comparison): string {
  const head = ['config', 'max users', '×', 'max req/s', '×', 'peak req/s', '×', '$/1M', '×', 'p99 ms'];
  const rows = c.rows.map((r) => [
    r.label,
    r.sloMaxConcurrency === null ? dash : String(r.sloMaxConcurrency),
    x(r.ratios.sloMaxConcurrency),
    r.sloMaxRps === null ? dash : fmtNum(r.sloMaxRps),
    x(r.ratios.sloMaxRps),
    fmtNum(r.peakRps),
    x(r.ratios.peakRps),
    money(r.costPerMillion),
    x(r.ratios.costPerMillion),
    r.p99AtSloMs === null ? dash : ms(r.p99AtSloMs),
  ]);
  return `comparison (ratios to "${c.baseline}")\n${textTable(head, rows)}`;
}
