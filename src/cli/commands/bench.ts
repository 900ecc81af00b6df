import { writeFileAtomic } from '../../adapters/node/atomic-write.js';
import type { Command } from 'commander';
import { runBench, type BenchRun } from '../../adapters/node/loadtest/bench.js';
import { reportNotes, type BenchInput } from '../../loadtest/bench.js';
import { renderReport } from '../../loadtest/report.js';
import { formatComparison, formatResult } from '../../loadtest/table.js';
import { DEFAULT_SLO } from '../../loadtest/types.js';
import { benchProgress } from '../bench-progress.js';
import { EXIT, num, printJson } from '../output.js';
import type { SetExit } from './index.js';

interface BenchFlags extends BenchInput {
  json?: boolean;
  report?: string;
  out?: string;
}

async function run(f: BenchFlags, setExit: SetExit): Promise<void> {
  const progress = benchProgress(!f.json);
  let run: BenchRun;
  try {
    run = await runBench(f, progress);
  } finally {
    progress.stop();
  }
  const { results, doc } = run;
  if (f.report) await writeFileAtomic(f.report, renderReport(results, { notes: reportNotes(f, run.generator) }));
  if (f.out) await writeFileAtomic(f.out, JSON.stringify(doc, null, 2) + '\n');
  if (f.json) printJson(doc);
  else {
    process.stdout.write(results.map(formatResult).join('\n\n') + '\n');
    if (doc.comparison) process.stdout.write('\n' + formatComparison(doc.comparison) + '\n');
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
