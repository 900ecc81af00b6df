import { writeFileAtomic } from '../../adapters/node/atomic-write.js';
import type { Command } from 'commander';
import { DATA_SPEC_GRAMMAR } from '../../data/spec.js';
import { formatReport, strategiesReport } from '../strategies-report/report.js';
import { cliContext, loadData } from '../context.js';
import { EXIT, num, printJson } from '../output.js';
import type { SetExit } from './index.js';

interface ReportCliOpts {
  data: string;
  test?: string;
  hidden: number;
  small: number;
  experts: number;
  topK: number;
  holdout: number;
  accuracyDrop: number;
  latencyRows: number;
  out?: string;
  json?: boolean;
}

export function registerStrategiesReport(program: Command, setExit: SetExit): void {
  program
    .command('strategies-report')
    .description(
      'Build base, int8, distilled, routed and mixture variants and compare accuracy, size, latency and cost',
    )
    .requiredOption('--data <spec>', 'training data (the last --holdout rows calibrate the router)')
    .option('--test <spec>', 'test data (default: the last 20% of --data)')
    .option('--hidden <L>', 'base / teacher / large / dense hidden units', num('hidden', true), 4096)
    .option('--small <L>', 'small model of the cascade', num('small', true), 256)
    .option('--experts <E>', 'mixture experts (each gets hidden/E units)', num('experts', true), 4)
    .option('--top-k <k>', 'experts run per row', num('top-k', true), 1)
    .option('--holdout <n>', 'training rows held out for router calibration', num('holdout', true), 10000)
    .option('--accuracy-drop <eps>', 'router calibration target (fraction)', num('accuracy-drop'), 0.002)
    .option('--latency-rows <n>', 'single-row predictions timed per model', num('latency-rows', true), 300)
    .option('--out <file>', 'also write the report as JSON to this file')
    .option('--json', 'print one JSON object instead of the table')
    .addHelpText('after', `\nData specs:\n${DATA_SPEC_GRAMMAR}`)
    .action(async (opts: ReportCliOpts) => {
      const ctx = await cliContext();
      let train = await loadData(opts.data);
      let test;
      if (opts.test) test = await loadData(opts.test);
      else {
        const cut = Math.floor(train.rows * 0.8);
        const d = train.cols;
        test = {
          ...train,
          x: train.x.subarray(cut * d),
          y: train.y.subarray(cut),
          rows: train.rows - cut,
        } as typeof train;
        train = { ...train, x: train.x.subarray(0, cut * d), y: train.y.subarray(0, cut), rows: cut } as typeof train;
      }
      const report = strategiesReport(train, test, {
        hidden: opts.hidden,
        small: opts.small,
        experts: opts.experts,
        topK: opts.topK,
        holdout: opts.holdout,
        accuracyDrop: opts.accuracyDrop,
        latencyRows: opts.latencyRows,
        backend: ctx.backend,
        codecs: ctx.codecs,
        log: opts.json ? undefined : (m) => process.stderr.write(m + '\n'),
      });
      const full = { data: opts.data, test: opts.test ?? `${opts.data} (last 20%)`, ...report };
      if (opts.out) await writeFileAtomic(opts.out, JSON.stringify(full, null, 2) + '\n');
      if (opts.json) printJson(full);
      else process.stdout.write(formatReport(report) + '\n');
      setExit(EXIT.OK);
    });
}
