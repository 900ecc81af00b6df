import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { ElmError } from '../../../core/errors.js';
import {
  benchDocument,
  checkInput,
  configIdentity,
  estimateSteps,
  serverFor,
  stepLabel,
  type BenchDocument,
  type BenchInput,
  type BenchProgress,
  type GeneratorInfo,
} from '../../../loadtest/bench.js';
import { parseCompare, type ConfigSpec } from '../../../loadtest/compare.js';
import type { SweepPlan } from '../../../loadtest/plan.js';
import { parseTarget, startedServerTarget } from '../../../loadtest/target.js';
import type { BenchResult, SloOptions } from '../../../loadtest/types.js';
import { waitReady } from './control.js';
import { startChildServer, type ChildServer } from './server.js';
import { runSweep } from './session.js';

/** What a benchmark run produced: one result per configuration and the JSON document over them. */
export interface BenchRun {
  results: BenchResult[];
  generator: GeneratorInfo;
  doc: BenchDocument;
}

async function readBody(file: string | undefined): Promise<string | undefined> {
  if (!file) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new ElmError('ELM_ERR_DATA_NOT_FOUND', `cannot read --body file ${file}`, undefined, e);
  }
}

interface RunContext {
  f: BenchInput;
  plan: SweepPlan;
  slo: SloOptions;
  body: string | undefined;
  progress: BenchProgress;
}

/** One configuration: start its server when it has no URL (loopback only), wait until ready, sweep, stop it. */
async function runConfig(c: RunContext, cfg: ConfigSpec | undefined): Promise<BenchResult> {
  const { f, progress } = c;
  const where = serverFor(f, cfg);
  let server: ChildServer | undefined;
  let url: string;
  if ('url' in where) url = where.url;
  else {
    progress.status(`starting elmscale ${where.args.join(' ')}`);
    server = await startChildServer({ args: where.args });
    url = server.url;
  }
  try {
    const t = server ? startedServerTarget(url) : parseTarget(url);
    await waitReady(t, 30_000);
    const { label, model } = configIdentity(f, cfg, t.url, server !== undefined);
    progress.begin(label, estimateSteps(c.plan));
    return await runSweep({
      url,
      label,
      ...(model !== undefined ? { model } : {}),
      plan: c.plan,
      slo: c.slo,
      pricePerCoreHour: f.pricePerCoreHour,
      ...(f.serverCores !== undefined ? { serverCores: f.serverCores } : {}),
      timeoutMs: f.timeoutMs,
      rows: f.rows,
      distinct: f.distinct,
      seed: f.seed,
      ...(c.body !== undefined ? { body: c.body } : {}),
      onPreWarm: (ms) => progress.status(`pre-warm ${ms} ms`),
      onStepStart: (s) => progress.status(stepLabel(s)),
      onTick: (x) => progress.tick(x),
      onStepEnd: (s) => progress.end(s),
    });
  } finally {
    await server?.close();
  }
}

const loadavg1 = (): number => loadavg()[0];

/**
 * `elmscale bench` without its command line: check the input, then sweep each configuration (--compare) in turn
 * against its server, and describe the generator's machine. Errors in the input are thrown before any server starts.
 */
export async function runBench(f: BenchInput, progress: BenchProgress): Promise<BenchRun> {
  const { plan, slo } = checkInput(f);
  const body = await readBody(f.body);
  const configs = f.compare && f.compare.length > 0 ? parseCompare(f.compare) : [undefined];
  const load0 = loadavg1();
  const results: BenchResult[] = [];
  for (const cfg of configs) results.push(await runConfig({ f, plan, slo, body, progress }, cfg));
  const generator: GeneratorInfo = {
    node: process.version,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadavg: [load0, loadavg1()].map((x) => Math.round(x * 100) / 100),
    plan,
  };
  return { results, generator, doc: benchDocument(results, generator) };
}
