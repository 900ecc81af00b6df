import { availableParallelism } from 'node:os';
import { buildBodies, inputsFromMetadata } from '../../../loadtest/payload.js';
import { SweepPlanner, type SweepPlan } from '../../../loadtest/plan.js';
import { serverStep, snapshot, type ServerSnapshot } from '../../../loadtest/prom.js';
import { meetsSlo, sloAnswer } from '../../../loadtest/slo.js';
import type { BenchResult, SloOptions, StepResult, StepSpec } from '../../../loadtest/types.js';
import { parseTarget, type Target } from '../../../loadtest/target.js';
import { requestBytes } from './connection.js';
import { getJson, pickModel, scrapeMetrics } from './control.js';
import { runStep } from './runner.js';

export interface SweepOptions {
  url: string;
  label?: string;
  /** Model name (default: the first the server lists). */
  model?: string;
  plan: SweepPlan;
  slo: SloOptions;
  pricePerCoreHour: number;
  /** Cores of the server machine, to turn CPU-seconds into utilisation when the server has no utilisation gauge. */
  serverCores?: number;
  timeoutMs?: number;
  /** Rows per request, distinct payloads, seed, value range of the generated inputs. */
  rows?: number;
  distinct?: number;
  seed?: number;
  valueRange?: [number, number];
  /** A fixed request body (JSON text) instead of generated ones. */
  body?: string;
  /** Progress: a step starts (with the planner's estimate), ticks, ends. */
  onPreWarm?: (ms: number) => void;
  onStepStart?: (spec: StepSpec, index: number) => void;
  onTick?: (fraction: number) => void;
  onStepEnd?: (step: StepResult, index: number) => void;
}

/** Build the request bytes for a target and model (generated OIP bodies, or the user's body). */
export async function prepareRequests(
  t: Target,
  model: string,
  o: Pick<SweepOptions, 'rows' | 'distinct' | 'seed' | 'valueRange' | 'body'>,
): Promise<Buffer[]> {
  const path = `${t.base}/v2/models/${encodeURIComponent(model)}/infer`;
  if (o.body !== undefined) return [requestBytes('POST', path, t.hostHeader, o.body)];
  const meta = await getJson(t, `/v2/models/${encodeURIComponent(model)}`);
  const bodies = buildBodies(inputsFromMetadata(meta), {
    rows: o.rows ?? 1,
    distinct: o.distinct ?? 256,
    seed: o.seed ?? 1,
    lo: o.valueRange?.[0] ?? 0,
    hi: o.valueRange?.[1] ?? 16,
  });
  return bodies.map((b) => requestBytes('POST', path, t.hostHeader, b));
}

/**
 * Run a whole sweep against one target: the planner picks each step, the generator runs it, /metrics is scraped
 * at the edges of each measured window, and the answers (max concurrency / RPS under the SLO, cost) are derived.
 */
export async function runSweep(o: SweepOptions): Promise<BenchResult> {
  const t = parseTarget(o.url);
  const model = await pickModel(t, o.model);
  const requests = await prepareRequests(t, model, o);
  const planner = new SweepPlanner(o.plan);
  if (planner.p.preWarmMs > 0) {
    o.onPreWarm?.(planner.p.preWarmMs);
    await runStep(
      {
        mode: 'closed',
        concurrency: 8,
        rate: null,
        warmupMs: 0,
        durationMs: planner.p.preWarmMs,
        maxRequests: 1e9,
        phase: 'sweep',
      },
      { host: t.host, port: t.port, requests, timeoutMs: o.timeoutMs ?? 10_000 },
    );
  }
  const steps: StepResult[] = [];
  const startedAt = new Date().toISOString();
  const cores = o.serverCores ?? availableParallelism();
  for (let spec = planner.next(steps); spec; spec = planner.next(steps)) {
    o.onStepStart?.(spec, steps.length);
    let before: Promise<ServerSnapshot | undefined> = Promise.resolve(undefined);
    let after: Promise<ServerSnapshot | undefined> = Promise.resolve(undefined);
    const scrape = async () => {
      const text = await scrapeMetrics(t);
      return text === undefined ? undefined : snapshot(text, performance.now());
    };
    const client = await runStep(spec, {
      host: t.host,
      port: t.port,
      requests,
      timeoutMs: o.timeoutMs ?? 10_000,
      ...(o.onTick ? { onTick: o.onTick } : {}),
      onWindow: (edge) => {
        if (edge === 'start') before = scrape();
        else after = scrape();
      },
    });
    const server = serverStep(await before, await after, {
      pricePerCoreHour: o.pricePerCoreHour,
      cores,
      answered: client.ok,
    });
    const step: StepResult = {
      mode: spec.mode,
      concurrency: spec.concurrency,
      offeredRps: spec.rate,
      phase: spec.phase,
      ...client,
      server,
      costPerQuery: server.costPerQuery,
      sloOk: meetsSlo(client, spec.rate, o.slo),
    };
    steps.push(step);
    o.onStepEnd?.(step, steps.length - 1);
  }
  const answer = sloAnswer(steps);
  return {
    label: o.label ?? model,
    target: t.url,
    model,
    sloMs: o.slo.sloMs,
    pricePerCoreHour: o.pricePerCoreHour,
    startedAt,
    steps,
    peakRps: Math.max(0, ...steps.map((s) => s.rps)),
    ...answer,
  };
}
