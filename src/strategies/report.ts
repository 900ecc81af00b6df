import type { Backend } from '../numeric/backend.js';
import type { ModelCodecs } from '../models/artifact/codecs.js';
import { ELM } from '../models/elm.js';
import { evaluate } from '../models/evaluate.js';
import type { ElmConfig, LabeledData, Model } from '../models/model.js';
import { isCompositeModel } from './composite.js';
import { distill, type DistillOptions } from './distill/distill.js';
import { trainMixture } from './moe/train.js';
import { quantizeElm } from './quantize/quantized-elm.js';
import { buildRouter } from './route/calibrate.js';

/** One row of the strategies report. Ratios are against the base model measured in the same run. */
export interface ReportRow {
  name: string;
  kind: string;
  hidden: string;
  accuracy: number;
  bytes: number;
  latencyMedianUs: number;
  latencyP99Us: number;
  rowsPerSecond: number;
  /** Multiply-adds per query (measured over the test rows for routers). */
  flopsPerQuery: number;
  relCompute: number;
  /** Measured CPU time per row in batches, relative to the base model. */
  relCost: number;
  trainSeconds: number;
  notes?: string;
}

export interface TargetCheck {
  strategy: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface StrategiesReport {
  backend: string;
  trainRows: number;
  calibrationRows: number;
  testRows: number;
  rows: ReportRow[];
  targets: TargetCheck[];
}

export interface ReportOptions {
  /** Base (= teacher = large = dense) hidden units. Default 4096. */
  hidden?: number;
  /** Small model of the cascade. Default 256. */
  small?: number;
  /** Student hidden units (default hidden/4). */
  student?: number;
  experts?: number;
  topK?: number;
  /** Rows held out from the training data to calibrate the router (taken from the end). Default 5000. */
  holdout?: number;
  accuracyDrop?: number;
  distill?: Partial<DistillOptions>;
  config?: Partial<ElmConfig>;
  /** Single-row predictions timed per model. Default 300. */
  latencyRows?: number;
  backend: Backend;
  codecs: ModelCodecs;
  log?: (msg: string) => void;
}

function slice(d: LabeledData, r0: number, r1: number): LabeledData {
  return { ...d, x: d.x.subarray(r0 * d.cols, r1 * d.cols), y: d.y.subarray(r0, r1), rows: r1 - r0 };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Single-row latency (median, p99) and batch throughput of a model on test rows. */
export function measureSpeed(
  model: Model,
  test: LabeledData,
  latencyRows: number,
): { med: number; p99: number; rps: number; secPerRow: number } {
  const d = test.cols,
    m = model.outputDim;
  const out = new Float32Array(m);
  const n = Math.min(latencyRows, test.rows);
  for (let i = 0; i < Math.min(50, n); i++) model.predict(test.x.subarray(i * d, (i + 1) * d), 1, out);
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = test.x.subarray(i * d, (i + 1) * d);
    const t = performance.now();
    model.predict(x, 1, out);
    ts.push((performance.now() - t) * 1000);
  }
  ts.sort((a, b) => a - b);
  const block = 256;
  const ob = new Float32Array(block * m);
  const rows = Math.min(test.rows, 4096);
  const t0 = performance.now();
  for (let r0 = 0; r0 < rows; r0 += block) {
    const nb = Math.min(block, rows - r0);
    model.predict(test.x.subarray(r0 * d, (r0 + nb) * d), nb, ob);
  }
  const sec = (performance.now() - t0) / 1000;
  return { med: quantile(ts, 0.5), p99: quantile(ts, 0.99), rps: rows / sec, secPerRow: sec / rows };
}

/**
 * Build base, int8, distilled, label-trained, small, routed and mixture variants on `train` and measure them on
 * `test`: the numbers behind `elmscale strategies-report` and the targets of the strategies issue.
 */
export function strategiesReport(train: LabeledData, test: LabeledData, o: ReportOptions): StrategiesReport {
  const log = o.log ?? (() => {});
  const L = o.hidden ?? 4096,
    Ls = o.small ?? 256,
    Lst = o.student ?? Math.max(1, Math.round(L / 4)),
    E = o.experts ?? 4,
    k = o.topK ?? 1;
  const holdout = Math.min(o.holdout ?? 5000, Math.floor(train.rows / 5));
  const fit = slice(train, 0, train.rows - holdout);
  const cal = slice(train, train.rows - holdout, train.rows);
  const fo = { backend: o.backend };
  const cfg = { ...o.config };
  const built: { name: string; model: Model; hidden: string; notes?: string }[] = [];
  const timed = <T extends Model>(name: string, f: () => T): T => {
    log(`training ${name}…`);
    const t0 = performance.now();
    const m = f();
    m.metrics.trainSeconds = (performance.now() - t0) / 1000;
    return m;
  };
  const base = timed('base', () => ELM.fit(fit, { ...cfg, hidden: L }, fo));
  built.push({ name: 'base', model: base, hidden: String(L) });
  const q = timed('int8', () => quantizeElm(base, { hidden: 'int8' }, o.backend));
  built.push({ name: 'int8', model: q, hidden: String(L), notes: 'int8 W and β, JS int8 kernels' });
  const student = timed('distilled', () =>
    distill(base, fit, { hidden: Lst, config: cfg, augment: 1, backend: o.backend, ...o.distill }),
  );
  built.push({ name: 'distilled', model: student, hidden: String(Lst), notes: `student of base` });
  const labels = timed('labels-only', () => ELM.fit(fit, { ...cfg, hidden: Lst }, fo));
  built.push({ name: 'labels-only', model: labels, hidden: String(Lst), notes: 'same size as the student' });
  const small = timed('small', () => ELM.fit(fit, { ...cfg, hidden: Ls }, fo));
  built.push({ name: 'small', model: small, hidden: String(Ls) });
  const { router, calibration } = buildRouter(small, base, cal, { accuracyDrop: o.accuracyDrop ?? 0.002 });
  router.metrics.trainSeconds = 0;
  built.push({
    name: 'router',
    model: router,
    hidden: `${Ls}→${L}`,
    notes: `threshold ${calibration.threshold.toFixed(4)} (${calibration.measure}), calib. escalation ${(calibration.escalationRate * 100).toFixed(1)}%`,
  });
  const moe = timed('moe', () =>
    trainMixture(fit, { experts: E, hidden: Math.round(L / E), topK: k, config: cfg, backend: o.backend }),
  );
  built.push({ name: 'moe', model: moe, hidden: `${E}×${Math.round(L / E)} top-${k}` });

  const rows: ReportRow[] = [];
  let baseCost = 0;
  for (const b of built) {
    log(`measuring ${b.name}…`);
    if (isCompositeModel(b.model)) b.model.resetUsage();
    const acc = evaluate(b.model, test).accuracy ?? NaN;
    const flops = isCompositeModel(b.model)
      ? b.model.usage().flops / Math.max(1, b.model.usage().queries)
      : b.model.flopsPerRow;
    const speed = measureSpeed(b.model, test, o.latencyRows ?? 300);
    if (b.name === 'base') baseCost = speed.secPerRow;
    const row: ReportRow = {
      name: b.name,
      kind: b.model.kind,
      hidden: b.hidden,
      accuracy: acc,
      bytes: o.codecs.encode(b.model, { createdAt: '1970-01-01T00:00:00.000Z' }).length,
      latencyMedianUs: speed.med,
      latencyP99Us: speed.p99,
      rowsPerSecond: speed.rps,
      flopsPerQuery: flops,
      relCompute: flops / base.flopsPerRow,
      relCost: speed.secPerRow / baseCost,
      trainSeconds: Number(b.model.metrics.trainSeconds ?? 0),
    };
    if (b.notes) row.notes = b.notes;
    if (b.name === 'router') {
      const u = router.usage();
      row.notes += `, test: ${((u.members[0]!.rows / u.queries) * 100).toFixed(1)}% answered by small`;
    }
    rows.push(row);
  }
  return {
    backend: o.backend.name,
    trainRows: fit.rows,
    calibrationRows: cal.rows,
    testRows: test.rows,
    rows,
    targets: checkTargets(rows, router.usage().members[0]!.share, E),
  };
}

const pts = (x: number): string => `${(x * 100).toFixed(2)}%`;

function checkTargets(rows: ReportRow[], smallShare: number, e: number): TargetCheck[] {
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
