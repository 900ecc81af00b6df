/**
 * Small, dependency-free SVG line charts for the benchmark report: linear or log₂ x axis, nice ticks, one path per
 * series with point markers and native tooltips, an optional horizontal reference line (the SLO).
 */

export interface Series {
  name: string;
  points: [number, number][];
  dashed?: boolean;
}

export interface ChartSpec {
  /** Stable id, also `data-chart` (tests and CSS find charts by it). */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  xLog?: boolean;
  /** log₁₀ y axis (latencies spanning orders of magnitude); values ≤ 0 are drawn at the bottom. */
  yLog?: boolean;
  /** Join points in x order (default) or in the order given (e.g. by applied load when x is the achieved rate). */
  sortX?: boolean;
  /** A horizontal reference line, e.g. the SLO. */
  hLine?: { y: number; label: string };
  /** Format tick and tooltip values. */
  yFormat?: (v: number) => string;
  xFormat?: (v: number) => string;
  width?: number;
  height?: number;
}

export const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Round numbers for tick marks covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export function fmtNum(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return Number(v.toPrecision(3)).toString();
  return Number(v.toPrecision(2)).toString();
}

export function lineChart(c: ChartSpec): string {
  const f = frame(c);
  return [
    `<svg class="chart" data-chart="${esc(c.id)}" id="chart-${esc(c.id)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${f.W} ${f.H}" width="${f.W}" height="${f.H}" role="img" aria-label="${esc(c.title)}">`,
    `<title>${esc(c.title)}</title>`,
    `<text class="chart-title" x="${f.W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">${esc(c.title)}</text>`,
    ...axes(c, f),
    ...seriesPaths(c, f),
    ...legend(c, f),
    '</svg>',
  ].join('\n');
}

/** The plot area, the axis ranges (in transformed units: log₂ x, log₁₀ y when asked) and the data → pixel maps. */
interface Frame {
  W: number;
  H: number;
  m: { l: number; r: number; t: number; b: number };
  pw: number;
  ph: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  sx: (x: number) => number;
  sy: (y: number) => number;
  fx: (v: number) => string;
  fy: (v: number) => string;
}

function frame(c: ChartSpec): Frame {
  const W = c.width ?? 640;
  const H = c.height ?? 360;
  const legendRows = Math.ceil(c.series.length / 3);
  const m = { l: 64, r: 16, t: 34 + legendRows * 16, b: 48 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const pts = c.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = pts.map((p) => p[0]).filter((x) => !c.xLog || x > 0);
  const ys = pts.map((p) => p[1]);
  if (c.hLine) ys.push(c.hLine.y);
  const tx = (x: number) => (c.xLog ? Math.log2(x) : x);
  let x0 = xs.length ? Math.min(...xs.map(tx)) : 0;
  let x1 = xs.length ? Math.max(...xs.map(tx)) : 1;
  if (x1 <= x0) [x0, x1] = [x0 - 1, x1 + 1];
  const posYs = ys.filter((y) => y > 0);
  const ly0 = posYs.length ? Math.floor(Math.log10(Math.min(...posYs))) : 0;
  const ly1 = posYs.length ? Math.max(ly0 + 1, Math.ceil(Math.log10(Math.max(...posYs)))) : 1;
  const y0 = c.yLog ? ly0 : 0;
  let y1 = c.yLog ? ly1 : ys.length ? Math.max(...ys) * 1.08 : 1;
  if (!(y1 > y0)) y1 = y0 + 1;
  const ty = (y: number) => (c.yLog ? Math.log10(Math.max(y, 10 ** y0)) : y);
  return {
    W,
    H,
    m,
    pw,
    ph,
    x0,
    x1,
    y0,
    y1,
    sx: (x) => m.l + ((tx(x) - x0) / (x1 - x0)) * pw,
    sy: (y) => m.t + ph - ((ty(y) - y0) / (y1 - y0)) * ph,
    fx: c.xFormat ?? fmtNum,
    fy: c.yFormat ?? fmtNum,
  };
}

/** Grid and y ticks, x ticks, the two axes with their labels, and the reference line. */
function axes(c: ChartSpec, f: Frame): string[] {
  const { m, pw, ph, x0, x1, y0, y1, sx, sy } = f;
  const parts: string[] = [];
  const yt = c.yLog
    ? Array.from({ length: y1 - y0 + 1 }, (_, i) => 10 ** (y0 + i)).flatMap((d, i, a) =>
        i < a.length - 1 ? [d, 2 * d, 5 * d] : [d],
      )
    : niceTicks(y0, y1);
  for (const v of yt) {
    const y = sy(v).toFixed(1);
    parts.push(
      `<line class="grid" x1="${m.l}" x2="${m.l + pw}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`,
      `<text class="tick" x="${m.l - 6}" y="${y}" dy="4" text-anchor="end" font-size="11" fill="#374151">${esc(f.fy(v))}</text>`,
    );
  }
  const xt = c.xLog
    ? Array.from({ length: Math.floor(x1) - Math.ceil(x0) + 1 }, (_, i) => 2 ** (Math.ceil(x0) + i))
    : niceTicks(x0, x1);
  for (const v of xt) {
    const x = sx(v).toFixed(1);
    parts.push(
      `<line class="xtick" x1="${x}" x2="${x}" y1="${m.t + ph}" y2="${m.t + ph + 4}" stroke="#6b7280"/>`,
      `<text class="tick" x="${x}" y="${m.t + ph + 17}" text-anchor="middle" font-size="11" fill="#374151">${esc(f.fx(v))}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${m.l}" x2="${m.l + pw}" y1="${m.t + ph}" y2="${m.t + ph}" stroke="#6b7280"/>`,
    `<line class="axis" x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + ph}" stroke="#6b7280"/>`,
    `<text class="axis-label" x="${m.l + pw / 2}" y="${f.H - 8}" text-anchor="middle" font-size="12">${esc(c.xLabel)}</text>`,
    `<text class="axis-label" transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(c.yLabel)}</text>`,
  );
  if (c.hLine) {
    const y = sy(c.hLine.y).toFixed(1);
    parts.push(
      `<line class="slo-line" x1="${m.l}" x2="${m.l + pw}" y1="${y}" y2="${y}" stroke="#dc2626" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      `<text class="slo-label" x="${m.l + pw - 4}" y="${y}" dy="-5" text-anchor="end" font-size="11" fill="#dc2626">${esc(c.hLine.label)}</text>`,
    );
  }
  return parts;
}

/** One group per series: the path and a marker with a tooltip per point. */
function seriesPaths(c: ChartSpec, f: Frame): string[] {
  const { sx, sy } = f;
  const parts: string[] = [];
  c.series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const p = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!c.xLog || x > 0));
    if (c.sortX !== false) p.sort((a, b) => a[0] - b[0]);
    if (p.length === 0) return;
    const d = p.map(([x, y], j) => `${j ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    parts.push(
      `<g class="series-group" data-series="${esc(s.name)}">`,
      `<path class="series" d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>`,
      ...p.map(
        ([x, y]) =>
          `<circle class="point" cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(s.name)}: ${esc(f.fx(x))} → ${esc(f.fy(y))}</title></circle>`,
      ),
      '</g>',
    );
  });
  return parts;
}

function legend(c: ChartSpec, f: Frame): string[] {
  return c.series.map((s, i) => {
    const x = f.m.l + 8 + (i % 3) * 190;
    const y = 30 + Math.floor(i / 3) * 16;
    return `<g class="legend"><rect x="${x}" y="${y}" width="12" height="3" fill="${PALETTE[i % PALETTE.length]}"/><text x="${x + 16}" y="${y + 5}" font-size="11">${esc(s.name)}</text></g>`;
  });
}
