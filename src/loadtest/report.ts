import { compareResults, type Comparison } from './compare.js';
import { esc, fmtNum, lineChart, type Series } from './svg.js';
import { STEP_HEAD, stepRow } from './table.js';
import type { BenchResult } from './types.js';

export interface ReportMeta {
  title?: string;
  /** Free-form lines about the run (machine, command line, generator). */
  notes?: string[];
  generatedAt?: string;
}

const CSS = `
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1340px;color:#111827;padding:0 16px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px} .sub{color:#4b5563;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #e5e7eb;border-radius:8px;padding:10px 14px;min-width:180px}
.card .v{font-size:22px;font-weight:600} .card .k{font-size:12px;color:#4b5563}
.charts{display:flex;flex-wrap:wrap;gap:16px} .charts svg{border:1px solid #e5e7eb;border-radius:8px;background:#fff;max-width:100%;height:auto}
table{border-collapse:collapse;font-size:12.5px;margin:6px 0 12px} th,td{padding:3px 8px;border-bottom:1px solid #e5e7eb;text-align:right}
th:first-child,td:first-child{text-align:left} th{background:#f9fafb} td.miss{color:#dc2626;font-weight:600} td.ok{color:#059669}
code{background:#f3f4f6;padding:1px 4px;border-radius:4px}`;

function table(head: string[], rows: string[][], cls = ''): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows
    .map(
      (r) =>
        `<tr>${r.map((c) => `<td${c === 'MISS' ? ' class="miss"' : c === 'ok' ? ' class="ok"' : ''}>${esc(c)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table class="${cls}"><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

function card(k: string, v: string): string {
  return `<div class="card"><div class="v">${esc(v)}</div><div class="k">${esc(k)}</div></div>`;
}

/** The three charts the issue asks for (plus utilisation), one series per configuration and mode. */
export function reportCharts(results: BenchResult[]): string[] {
  const slo = results[0]?.sloMs ?? 0;
  const multi = results.length > 1;
  const name = (r: BenchResult, mode: string) => (multi ? `${r.label} (${mode})` : mode);
  const throughput: Series[] = results.map((r) => ({
    name: multi ? r.label : 'closed loop',
    points: r.steps.filter((s) => s.mode === 'closed').map((s) => [s.concurrency, s.rps] as [number, number]),
  }));
  const byLoad = (pick: (s: BenchResult['steps'][number]) => number | null): Series[] =>
    results.flatMap((r) =>
      (['closed', 'open'] as const)
        .map((mode) => ({
          name: name(r, mode === 'closed' ? 'closed loop' : 'open loop'),
          dashed: mode === 'open',
          points: r.steps
            .filter((s) => s.mode === mode)
            .map((s) => [s.rps, pick(s)] as [number, number | null])
            .filter((p): p is [number, number] => p[1] !== null),
        }))
        .filter((s) => s.points.length > 0),
    );
  return [
    lineChart({
      id: 'throughput',
      title: 'Throughput vs concurrent users (closed loop)',
      xLabel: 'concurrent connections',
      yLabel: 'successful requests/s',
      xLog: true,
      series: throughput.filter((s) => s.points.length > 0),
    }),
    lineChart({
      id: 'p99-users',
      title: 'P99 latency vs concurrent users (closed loop)',
      xLabel: 'concurrent connections',
      yLabel: 'P99 latency, ms (log scale)',
      xLog: true,
      yLog: true,
      series: results
        .map((r) => ({
          name: multi ? r.label : 'closed loop',
          points: r.steps
            .filter((s) => s.mode === 'closed')
            .map((s) => [s.concurrency, s.latencyMs.p99] as [number, number]),
        }))
        .filter((s) => s.points.length > 0),
      hLine: { y: slo, label: `SLO ${slo} ms` },
    }),
    lineChart({
      id: 'p99',
      title: 'P99 latency vs throughput',
      xLabel: 'achieved requests/s',
      yLabel: 'P99 latency, ms (log scale)',
      yLog: true,
      series: byLoad((s) => s.latencyMs.p99),
      hLine: { y: slo, label: `SLO ${slo} ms` },
    }),
    lineChart({
      id: 'cost',
      title: 'Cost per 1M queries vs load',
      xLabel: 'achieved requests/s',
      yLabel: 'cost per 1M queries',
      series: byLoad((s) => s.server.costPerMillion),
    }),
    lineChart({
      id: 'utilisation',
      title: 'Server CPU utilisation vs load',
      xLabel: 'achieved requests/s',
      yLabel: 'CPU utilisation, %',
      series: byLoad((s) => (s.server.cpuUtilisation === null ? null : s.server.cpuUtilisation * 100)),
    }),
  ];
}

function comparisonTable(c: Comparison): string {
  const x = (v: number | null) => (v === null ? '–' : `${v.toFixed(2)}×`);
  const n = (v: number | null) => (v === null ? '–' : fmtNum(v));
  return table(
    ['configuration', 'max users', '×', 'max req/s', '×', 'peak req/s', '×', 'cost / 1M', '×', 'P99 at max, ms'],
    c.rows.map((r) => [
      r.label,
      n(r.sloMaxConcurrency),
      x(r.ratios.sloMaxConcurrency),
      n(r.sloMaxRps),
      x(r.ratios.sloMaxRps),
      fmtNum(r.peakRps),
      x(r.ratios.peakRps),
      r.costPerMillion === null ? '–' : r.costPerMillion.toPrecision(3),
      x(r.ratios.costPerMillion),
      r.p99AtSloMs === null ? '–' : r.p99AtSloMs.toFixed(2),
    ]),
    'comparison',
  );
}

/** A self-contained HTML page (inline CSS and SVG, no scripts, no network) for one or several sweeps. */
export function renderReport(results: BenchResult[], meta: ReportMeta = {}): string {
  if (results.length === 0) throw new RangeError('renderReport needs at least one result');
  const first = results[0];
  const title = meta.title ?? `elmscale bench — ${first.model}`;
  const cmp = results.length > 1 ? compareResults(results) : undefined;
  const cost = first.costPerMillion;
  const cards = [
    card(
      'max concurrent users, P99 ≤ SLO',
      first.sloMaxConcurrency === null ? 'none' : String(first.sloMaxConcurrency),
    ),
    card('max requests/s, P99 ≤ SLO', first.sloMaxRps === null ? 'none' : fmtNum(first.sloMaxRps)),
    card('cost per 1M queries at that load', cost === null ? '–' : cost.toPrecision(3)),
    card('peak requests/s', fmtNum(first.peakRps)),
    card('SLO (P99)', `${first.sloMs} ms`),
  ].join('\n');
  const sections = results.map(
    (r) =>
      `<h2>Steps: ${esc(r.label)}</h2><div class="sub">${esc(r.model)} at <code>${esc(r.target)}</code>, started ${esc(r.startedAt)}</div>\n${table(STEP_HEAD, r.steps.map(stepRow), 'steps')}`,
  );
  const notes = (meta.notes ?? []).map((n) => `<li>${esc(n)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(title)}</h1>
<div class="sub">target ${esc(first.target)} · price ${esc(String(first.pricePerCoreHour))} per core-hour · generated ${esc(meta.generatedAt ?? new Date().toISOString())}</div>
<div class="cards">${cards}</div>
${cmp ? `<h2>Comparison (ratios to “${esc(cmp.baseline)}”)</h2>${comparisonTable(cmp)}` : ''}
<h2>Charts</h2>
<div class="charts">
${reportCharts(results).join('\n')}
</div>
${sections.join('\n')}
<h2>How to read this</h2>
<ul class="sub">
<li>Closed loop: N connections each send the next request when the previous one answers (N concurrent users). Open loop: requests are sent at a fixed rate; latency counts from when each request was due, so a server falling behind shows its queueing (no coordinated omission).</li>
<li>Percentiles come from a log-linear histogram with 3 significant digits. "err" counts non-2xx answers other than 429/503 and timeouts; "shed" counts 429/503; "drop" counts open-loop requests the generator could not send.</li>
<li>CPU utilisation and cost per query come from the server's <code>/metrics</code> scraped at the start and end of each measured window: cost = CPU-seconds per query × price per core-hour / 3600.</li>
<li>A step meets the SLO when its P99 is under the SLO, at most 1% of requests fail and (open loop) it keeps up with the offered rate. The maxima are the highest load below the first miss.</li>
${notes}
</ul>
</body></html>
`;
}
