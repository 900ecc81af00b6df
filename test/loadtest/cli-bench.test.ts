import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { CHROMIUM, CHROMIUM_ARGS, haveChromium } from '../helpers/chromium.js';
import { runCli } from '../helpers/cli.js';
import { startSynthetic, type Synthetic } from './synthetic-server.js';

interface Step {
  mode: string;
  rps: number;
  latencyMs: Record<string, number>;
  server: { cpuUtilisation: number | null; costPerMillion: number | null };
  costPerQuery: number | null;
  sloOk: boolean;
}
interface Doc {
  steps: Step[];
  sloMaxConcurrency: number | null;
  sloMaxRps: number | null;
  costPerMillion: number | null;
  configs?: { label: string; steps: Step[] }[];
  comparison?: { baseline: string; rows: { label: string; ratios: Record<string, number | null> }[] };
}

/** Run the CLI in this process (fast: no node start-up) and capture stderr. */
async function runMain(args: string[]): Promise<{ code: number; stderr: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'elmscale', ...args]);
    return { code, stderr };
  } finally {
    process.stderr.write = write;
  }
}

/** Open a report in headless Debian Chromium (no network) and describe its charts. */
async function inspectReport(file: string, screenshot?: string) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    const external: string[] = [];
    await page.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith('file:')) return route.continue();
      external.push(u);
      return route.abort();
    });
    await page.goto(pathToFileURL(file).href);
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    const charts = await page.$$eval('svg.chart', (svgs) =>
      svgs.map((s) => {
        const box = (s as SVGSVGElement).getBoundingClientRect();
        return {
          id: s.getAttribute('data-chart'),
          width: box.width,
          height: box.height,
          series: s.querySelectorAll('path.series').length,
          points: s.querySelectorAll('circle.point').length,
          slo: s.querySelectorAll('line.slo-line').length,
          pathLength: Math.max(
            0,
            ...Array.from(s.querySelectorAll('path.series')).map((p) => (p as SVGPathElement).getTotalLength()),
          ),
        };
      }),
    );
    const title = await page.title();
    const steps = await page.$$eval('table.steps tbody tr', (rows) => rows.length);
    return { charts, title, steps, external };
  } finally {
    await browser.close();
  }
}

describe('elmscale bench (CLI)', () => {
  let dir: string;
  let a: Synthetic;
  let b: Synthetic;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'elmscale-bench-'));
    a = await startSynthetic({ capacity: 2, serviceMs: 20 });
    b = await startSynthetic({ capacity: 8, serviceMs: 20 });
  });
  after(async () => {
    await a.close();
    await b.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('--quick starts our demo server, prints the JSON shape and writes a report', async () => {
    const report = join(dir, 'quick.html');
    const out = join(dir, 'quick.json');
    const t0 = performance.now();
    const r = await runCli(['bench', '--quick', '--json', '--report', report, '--out', out]);
    const seconds = (performance.now() - t0) / 1000;
    assert.equal(r.code, 0, r.stderr);
    // How long --quick takes is bounded by its plan (prom-plan.test.ts checks estimateMs), not asserted here.
    console.log(`# --quick took ${seconds.toFixed(1)} s`);
    const doc = JSON.parse(r.stdout) as Doc & { model: string; generator: unknown };
    assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), doc);
    assert.equal(doc.model, 'digits');
    for (const k of ['steps', 'sloMaxConcurrency', 'sloMaxRps', 'costPerMillion'] as const) assert.ok(k in doc, k);
    assert.ok(doc.steps.length >= 3, `${doc.steps.length} steps`);
    assert.ok(doc.steps.some((s) => s.mode === 'closed') && doc.steps.some((s) => s.mode === 'open'));
    for (const s of doc.steps) {
      assert.ok(s.rps > 0);
      for (const p of ['p50', 'p90', 'p99', 'p999']) assert.equal(typeof s.latencyMs[p], 'number');
      assert.ok(s.latencyMs.p50 <= s.latencyMs.p99 && s.latencyMs.p99 <= s.latencyMs.p999);
      // our server exports CPU and request counters: utilisation and cost come from /metrics
      assert.equal(typeof s.server.cpuUtilisation, 'number');
      assert.ok(s.costPerQuery! > 0);
    }
    if (doc.sloMaxRps !== null) assert.ok(doc.costPerMillion! > 0);
    assert.ok(existsSync(report));
  });

  it('the HTML report renders its charts in headless Chromium with no network', async (t) => {
    if (!haveChromium) {
      t.skip(`${CHROMIUM} is absent (apt-get install chromium; .ci/run installs it)`);
      return;
    }
    const report = join(dir, 'quick.html');
    if (!existsSync(report)) {
      t.skip('the --quick run above did not produce a report');
      return;
    }
    const res = await inspectReport(report, process.env.ELMSCALE_REPORT_SCREENSHOT);
    assert.match(res.title, /elmscale bench/);
    assert.deepEqual(res.external, []);
    const ids = res.charts.map((c) => c.id);
    for (const id of ['throughput', 'p99', 'cost']) assert.ok(ids.includes(id), `chart ${id} in ${ids.join(',')}`);
    for (const c of res.charts) {
      assert.ok(c.width > 200 && c.height > 100, `${c.id} rendered ${c.width}×${c.height}`);
      assert.ok(c.series >= 1 && c.points >= 1, `${c.id}: ${c.series} series, ${c.points} points`);
    }
    assert.equal(res.charts.find((c) => c.id === 'p99')!.slo, 1, 'P99 chart has the SLO line');
    assert.ok(res.charts.find((c) => c.id === 'throughput')!.pathLength > 0);
    assert.ok(res.steps >= 3);
  });

  it('--compare runs each configuration and reports ratios (against --url targets)', async (t) => {
    const report = join(dir, 'compare.html');
    const r = await runCli([
      'bench',
      '--mode',
      'closed',
      '--concurrency',
      '1,4',
      '--pre-warm',
      '0',
      '--warmup',
      '50',
      '--duration',
      '400',
      '--slo-ms',
      '60',
      '--compare',
      `small=@url ${a.url}`,
      `large=@url ${b.url}`,
      '--json',
      '--report',
      report,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Doc;
    assert.deepEqual(
      doc.configs!.map((c) => c.label),
      ['small', 'large'],
    );
    assert.equal(doc.comparison!.baseline, 'small');
    assert.equal(doc.comparison!.rows[0].ratios.peakRps, 1);
    // 8 slots vs 2: at 4 users the large server has twice the throughput
    assert.ok(doc.comparison!.rows[1].ratios.peakRps! > 1.3, JSON.stringify(doc.comparison));
    assert.deepEqual(doc.steps, doc.configs![0].steps, 'top level = the baseline');
    if (haveChromium) {
      const res = await inspectReport(report);
      assert.equal(res.charts.find((c) => c.id === 'throughput')!.series, 2, 'one series per configuration');
    } else t.diagnostic('chromium absent: report rendering not checked');
  });

  it('human output and usage errors', async () => {
    const r = await runCli([
      'bench',
      '--url',
      a.url,
      '--mode',
      'closed',
      '--concurrency',
      '2',
      '--pre-warm',
      '0',
      '--warmup',
      '0',
      '--duration',
      '200',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /max concurrent users under the SLO/);
    assert.match(r.stdout, /closed c=2/);
    for (const bad of [
      ['bench', '--mode', 'sideways'],
      ['bench', '--url', 'https://127.0.0.1:1'],
      ['bench', '--concurrency', '0'],
      ['bench', '--compare', 'batching', '--url', a.url, '--duration', '100'],
      ['bench', '--compare', 'bogus'],
    ]) {
      const e = await runMain(bad);
      assert.equal(e.code, 2, `${bad.join(' ')} → ${e.code}: ${e.stderr}`);
      assert.match(e.stderr, /ELM_ERR_INVALID_ARGUMENT/);
    }
  });
});
