import type { ReportRow, StrategiesReport, TargetCheck } from './report.js';

const pts = (x: number): string => `${(x * 100).toFixed(2)}%`;

/** The strategies issue's targets, checked against the report's rows. */
export function checkTargets(rows: ReportRow[], smallShare: number, e: number): TargetCheck[] {
  const r = Object.fromEntries(rows.map((x) => [x.name, x])) as Record<string, ReportRow>;
  const base = r.base!,
    q = r.int8!,
    st = r.distilled!,
    lab = r['labels-only']!,
    ro = r.router!,
    mo = r.moe!;
  const ratio = base.bytes / q.bytes;
  return [
    { strategy: 'int8', target: 'artifact ≥ 3.5× smaller', measured: `${ratio.toFixed(2)}×`, met: ratio >= 3.5 },
    {
      strategy: 'int8',
      target: 'accuracy drop ≤ 0.5 points',
      measured: `${((base.accuracy - q.accuracy) * 100).toFixed(2)} points`,
      met: base.accuracy - q.accuracy <= 0.005,
    },
    {
      strategy: 'int8',
      target: 'single-row latency ≤ float32',
      measured: `${q.latencyMedianUs.toFixed(1)} µs vs ${base.latencyMedianUs.toFixed(1)} µs`,
      met: q.latencyMedianUs <= base.latencyMedianUs,
    },
    {
      strategy: 'distill',
      target: "student keeps ≥ 98% of teacher's accuracy",
      measured: pts(st.accuracy / base.accuracy),
      met: st.accuracy >= 0.98 * base.accuracy,
    },
    {
      strategy: 'distill',
      target: 'student beats same-size ELM on labels',
      measured: `${pts(st.accuracy)} vs ${pts(lab.accuracy)}`,
      met: st.accuracy > lab.accuracy,
    },
    { strategy: 'route', target: '≥ 60% answered by small', measured: pts(smallShare), met: smallShare >= 0.6 },
    {
      strategy: 'route',
      target: 'accuracy within 0.3 points of large',
      measured: `${((base.accuracy - ro.accuracy) * 100).toFixed(2)} points below`,
      met: base.accuracy - ro.accuracy <= 0.003,
    },
    {
      strategy: 'route',
      target: 'compute per query ≤ 50% of large',
      measured: pts(ro.relCompute),
      met: ro.relCompute <= 0.5,
    },
    {
      strategy: 'moe',
      target: `compute per query ≤ 1/${e} of dense`,
      measured: `${pts(mo.relCompute)} (1/${e} = ${pts(1 / e)})`,
      met: mo.relCompute <= 1 / e,
    },
    {
      strategy: 'moe',
      target: 'accuracy ≥ dense ELM (same total hidden units)',
      measured: `${pts(mo.accuracy)} vs ${pts(base.accuracy)}`,
      met: mo.accuracy >= base.accuracy,
    },
  ];
}

/** The report as a fixed-width text table. */
export function formatReport(r: StrategiesReport): string {
  const head = ['model', 'kind', 'hidden', 'accuracy', 'bytes', 'p50 µs', 'p99 µs', 'rows/s', 'compute', 'cost'];
  const body = r.rows.map((x) => [
    x.name,
    x.kind,
    x.hidden,
    pts(x.accuracy),
    String(x.bytes),
    x.latencyMedianUs.toFixed(1),
    x.latencyP99Us.toFixed(1),
    x.rowsPerSecond.toFixed(0),
    x.relCompute.toFixed(3),
    x.relCost.toFixed(3),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 3 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  const out = [
    `backend ${r.backend}; trained on ${r.trainRows} rows, router calibrated on ${r.calibrationRows} held-out rows, tested on ${r.testRows}`,
    line(head),
    ...body.map(line),
    '',
    'notes:',
    ...r.rows.filter((x) => x.notes).map((x) => `  ${x.name}: ${x.notes}`),
    '',
    'targets:',
    ...r.targets.map((t) => `  [${t.met ? 'met' : 'MISSED'}] ${t.strategy}: ${t.target} — measured ${t.measured}`),
  ];
  return out.join('\n');
}
