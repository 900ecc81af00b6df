import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import type { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { ElmError } from '../../core/errors.js';
import { startChildServer, type ChildServer } from '../../adapters/node/loadtest/server.js';
import { runSweep } from '../../adapters/node/loadtest/session.js';
import { isLoopbackHost, parseTarget, waitReady } from '../../adapters/node/loadtest/control.js';
import { compareResults, parseCompare, type ConfigSpec } from '../../loadtest/compare.js';
import {
  FULL_PLAN,
  QUICK_PLAN,
  SweepPlanner,
  parseLevels,
  validatePlan,
  type SweepMode,
  type SweepPlan,
} from '../../loadtest/plan.js';
import { renderReport } from '../../loadtest/report.js';
import { fmtNum } from '../../loadtest/svg.js';
import { formatComparison, formatResult, stepRow } from '../../loadtest/table.js';
import { DEFAULT_SLO, type BenchResult, type SloOptions } from '../../loadtest/types.js';
import { EXIT, num, printJson } from '../output.js';
import type { SetExit } from './index.js';

interface BenchFlags {
  url?: string;
  model?: string;
  mode?: string;
  concurrency?: string;
  rates?: string;
  warmup?: number;
  preWarm?: number;
  duration?: number;
  refine?: number;
  sloMs: number;
  maxErrorRate: number;
  pricePerCoreHour: number;
  connections?: number;
  timeoutMs: number;
  rows: number;
  distinct: number;
  seed: number;
  body?: string;
  serverArgs?: string;
  serverCache?: boolean;
  serverCores?: number;
  compare?: string[];
  quick?: boolean;
  maxSteps?: number;
  maxTime?: number;
  json?: boolean;
  report?: string;
  out?: string;
}

/** The sweep plan from the flags: --quick or the full defaults, overridden by explicit flags. */
export function planFromFlags(f: BenchFlags): SweepPlan {
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

/** A progress bar on stderr (TTY only); without a TTY one line per finished step, unless --json. */
function progressUi(enabled: boolean) {
  const tty = enabled && process.stderr.isTTY === true;
  const bar = tty
    ? new SingleBar(
        { format: 'bench [{bar}] {percentage}% | {label} | {step}', stream: process.stderr, hideCursor: true },
        Presets.shades_classic,
      )
    : undefined;
  let started = false;
  let done = 0;
  let total = 1;
  return {
    begin(label: string, steps: number) {
      total = Math.max(1, steps);
      done = 0;
      if (bar) {
        if (started) bar.stop();
        bar.start(total * 100, 0, { label, step: 'starting' });
        started = true;
      } else if (enabled) process.stderr.write(`bench: ${label}\n`);
    },
    step(desc: string) {
      bar?.update(done * 100, { step: desc });
    },
    tick(fraction: number) {
      bar?.update(Math.min(total, done + fraction) * 100);
    },
    end(row: string[]) {
      done++;
      if (done > total) {
        total = done;
        bar?.setTotal(total * 100);
      }
      bar?.update(done * 100);
      if (!bar && enabled) process.stderr.write(`  ${row.join('  ')}\n`);
    },
    stop() {
      if (bar && started) bar.stop();
      started = false;
    },
  };
}

function splitArgs(s: string | undefined): string[] {
  return (s ?? '').split(/\s+/).filter((x) => x !== '');
}

async function runConfig(
  f: BenchFlags,
  cfg: ConfigSpec | undefined,
  plan: SweepPlan,
  slo: SloOptions,
  ui: ReturnType<typeof progressUi>,
  body: string | undefined,
): Promise<BenchResult> {
  const url = cfg?.url ?? f.url;
  let server: ChildServer | undefined;
  let target = url;
  if (url && cfg && cfg.serverArgs.length > 0) {
    throw new ElmError(
      'ELM_ERR_INVALID_ARGUMENT',
      `--compare "${cfg.label}" changes server options, which needs the benchmark to start the server (drop --url)`,
    );
  }
  if (!target) {
    const args = [
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
    ];
    ui.step(`starting elmscale ${args.join(' ')}`);
    server = await startChildServer({ args });
    target = server.url;
  }
  try {
    const t = parseTarget(target);
    if (server && !isLoopbackHost(t.host))
      throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `refusing non-loopback server URL ${target}`);
    await waitReady(t, 30_000);
    const label = cfg?.label ?? (server ? 'elmscale demo' : t.url);
    const estSteps = Math.ceil(new SweepPlanner(plan).estimateMs() / (plan.warmupMs + plan.durationMs));
    const model = cfg?.model ?? f.model ?? (server ? 'digits' : undefined);
    ui.begin(label, estSteps);
    return await runSweep({
      url: target,
      label,
      ...(model !== undefined ? { model } : {}),
      plan,
      slo,
      pricePerCoreHour: f.pricePerCoreHour,
      ...(f.serverCores !== undefined ? { serverCores: f.serverCores } : {}),
      timeoutMs: f.timeoutMs,
      rows: f.rows,
      distinct: f.distinct,
      seed: f.seed,
      ...(body !== undefined ? { body } : {}),
      onPreWarm: (ms) => ui.step(`pre-warm ${ms} ms`),
      onStepStart: (s) => ui.step(s.mode === 'closed' ? `closed c=${s.concurrency}` : `open ${fmtNum(s.rate ?? 0)}/s`),
      onTick: (x) => ui.tick(x),
      onStepEnd: (s) => ui.end(stepRow(s)),
    });
  } finally {
    await server?.close();
  }
}

async function run(f: BenchFlags, setExit: SetExit): Promise<void> {
  const plan = planFromFlags(f);
  const slo: SloOptions = { ...DEFAULT_SLO, sloMs: f.sloMs, maxErrorRate: f.maxErrorRate };
  if (!(slo.sloMs > 0)) throw new ElmError('ELM_ERR_INVALID_ARGUMENT', '--slo-ms must be > 0');
  if (!(f.pricePerCoreHour >= 0)) throw new ElmError('ELM_ERR_INVALID_ARGUMENT', '--price-per-core-hour must be ≥ 0');
  if (f.url) parseTarget(f.url);
  let body: string | undefined;
  if (f.body) {
    try {
      body = await readFile(f.body, 'utf8');
    } catch (e) {
      throw new ElmError('ELM_ERR_DATA_NOT_FOUND', `cannot read --body file ${f.body}`, undefined, e);
    }
  }
  const configs = f.compare && f.compare.length > 0 ? parseCompare(f.compare) : undefined;
  const ui = progressUi(!f.json);
  const results: BenchResult[] = [];
  const load0 = loadavg()[0];
  try {
    for (const cfg of configs ?? [undefined]) results.push(await runConfig(f, cfg, plan, slo, ui, body));
  } finally {
    ui.stop();
  }
  const comparison = results.length > 1 ? compareResults(results) : undefined;
  const generator = {
    node: process.version,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    /** 1-minute load average before and after: other work on the machine competes with server and generator. */
    loadavg: [load0, loadavg()[0]].map((x) => Math.round(x * 100) / 100),
    plan,
  };
  const doc = comparison ? { ...results[0], configs: results, comparison, generator } : { ...results[0], generator };
  if (f.report) {
    const html = renderReport(results, {
      notes: [
        `Generator: node ${process.version} on ${availableParallelism()} cores (${generator.cpuModel}); the server ran ${f.url ? `at ${f.url}` : 'as a child process on the same machine'}.`,
        `Machine load average (1 min) before / after the run: ${generator.loadavg.join(' / ')} on ${generator.cpus} cores — other work competes with the server and the generator.`,
        `Plan: mode ${plan.mode}, warm-up ${plan.warmupMs} ms, ${plan.durationMs} ms per step${f.quick ? ' (--quick)' : ''}.`,
      ],
    });
    await writeFile(f.report, html);
  }
  if (f.out) await writeFile(f.out, JSON.stringify(doc, null, 2) + '\n');
  if (f.json) printJson(doc);
  else {
    process.stdout.write(results.map(formatResult).join('\n\n') + '\n');
    if (comparison) process.stdout.write('\n' + formatComparison(comparison) + '\n');
    if (f.report) process.stdout.write(`report: ${f.report}\n`);
  }
  setExit(EXIT.OK);
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerBench(program: Command, setExit: SetExit): void {
  program
    .command('bench')
    .description(
      'Load-test an Open Inference Protocol v2 server: req/s, concurrent users and P99 under an SLO, cost per query, CPU (starts `elmscale demo` unless --url)',
    )
    .option('--url <url>', 'target server (default: start our demo server on a free loopback port)')
    .option('--model <name>', 'model to load-test (default: digits, or the first the server lists)')
    .option('--mode <mode>', 'closed (concurrency sweep) | open (fixed-rate sweep) | both', undefined)
    .option('--concurrency <levels>', 'closed-loop levels: "1,2,4" or "1..256" (doubling)')
    .option('--rates <levels>', 'open-loop rates, req/s (default with --mode both: fractions of the closed-loop peak)')
    .option('--pre-warm <ms>', 'unmeasured load before the first step (JIT warm-up), ms', num('pre-warm'))
    .option('--warmup <ms>', 'warm-up per step, ms', num('warmup'))
    .option('--duration <ms>', 'measured window per step, ms', num('duration'))
    .option('--refine <n>', 'bisection steps between the last pass and first miss, per mode', num('refine', true))
    .option('--slo-ms <ms>', 'latency SLO on P99, ms', num('slo-ms'), 25)
    .option(
      '--max-error-rate <r>',
      'largest failed fraction that still meets the SLO',
      num('max-error-rate'),
      DEFAULT_SLO.maxErrorRate,
    )
    .option('--price-per-core-hour <x>', 'price of one core-hour, for cost per query', num('price-per-core-hour'), 0.05)
    .option('--connections <n>', 'most connections an open-loop step may open', num('connections', true))
    .option('--timeout-ms <ms>', 'a request unanswered after this long is a timeout', num('timeout-ms'), 10_000)
    .option('--rows <n>', 'rows per request (batch dimension)', num('rows', true), 1)
    .option('--distinct <n>', 'distinct generated request bodies to cycle through', num('distinct', true), 256)
    .option('--seed <n>', 'seed of the generated inputs', num('seed', true), 1)
    .option('--body <file>', 'send this JSON request body instead of generated ones')
    .option('--server-args <args>', 'extra arguments for the started server, e.g. "--workers 2"')
    .option('--server-cache', 'keep the response cache on in the started server (off by default: measure the model)')
    .option(
      '--server-cores <n>',
      'cores of the server machine (utilisation when the server has no utilisation gauge)',
      num('server-cores', true),
    )
    .option(
      '--compare <configs...>',
      'presets batching | cache | workers | models, or label=ARGS (server args, @model NAME, @url URL, @cache)',
      collect,
    )
    .option('--quick', 'a short sweep (under 30 s): c = 1,4,16,64 and two open-loop rates')
    .option('--max-steps <n>', 'upper bound on steps per configuration', num('max-steps', true))
    .option('--max-time <s>', 'upper bound on the measured time per configuration, s', num('max-time'))
    .option('--json', 'print one JSON object (steps, sloMaxConcurrency, sloMaxRps, costPerMillion, ...)')
    .option('--out <file.json>', 'also write the JSON result to a file')
    .option('--report <file.html>', 'write a self-contained HTML report with charts')
    .action((f: BenchFlags) => run(f, setExit));
}
