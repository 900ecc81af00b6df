import { Command, Option } from 'commander';
import { evaluate } from '../../models/evaluate.js';
import { DATA_SPEC_GRAMMAR } from '../../data/spec.js';
import { quantizeElm, type HiddenPrecision } from '../../strategies/quantize/quantized-elm.js';
import { measureSpeed } from '../strategies-report/report.js';
import { cliContext, loadData, readModel, writeModel } from '../context.js';
import { EXIT, num, printJson } from '../output.js';
import type { SetExit } from './index.js';

interface QuantizeOpts {
  model: string;
  out: string;
  hiddenPrecision: HiddenPrecision;
  test?: string;
  latencyRows: number;
  json?: boolean;
}

export function registerQuantize(program: Command, setExit: SetExit): void {
  program
    .command('quantize')
    .description('Quantise an ELM to int8 (per-column β, per-unit hidden weights) and compare it with the float model')
    .requiredOption('--model <file>', 'float ELM artifact')
    .requiredOption('--out <file>', 'where to write the int8 artifact')
    .addOption(
      new Option('--hidden-precision <p>', 'precision of the first layer').choices(['int8', 'f32']).default('int8'),
    )
    .option('--test <spec>', 'labelled data to compare accuracy and latency on')
    .option('--latency-rows <n>', 'single-row predictions timed per model', num('latency-rows', true), 300)
    .option('--json', 'print one JSON object instead of text')
    .addHelpText('after', `\nData specs:\n${DATA_SPEC_GRAMMAR}`)
    .action(async (opts: QuantizeOpts) => {
      const ctx = await cliContext();
      const src = await readModel(ctx, opts.model);
      const q = quantizeElm(src.model, { hidden: opts.hiddenPrecision }, ctx.backend);
      const w = await writeModel(ctx, q, opts.out);
      const result: Record<string, unknown> = {
        model: opts.model,
        out: opts.out,
        floatBytes: src.byteLength,
        int8Bytes: w.bytes,
        sizeRatio: src.byteLength / w.bytes,
        contentHash: w.contentHash,
        hiddenPrecision: opts.hiddenPrecision,
        backend: ctx.backend.name,
      };
      if (opts.test) {
        const test = await loadData(opts.test, src.model);
        const fs = measureSpeed(src.model, test, opts.latencyRows);
        const qs = measureSpeed(q, test, opts.latencyRows);
        Object.assign(result, {
          floatAccuracy: evaluate(src.model, test).accuracy,
          int8Accuracy: evaluate(q, test).accuracy,
          floatLatencyUs: { median: fs.med, p99: fs.p99 },
          int8LatencyUs: { median: qs.med, p99: qs.p99 },
          floatRowsPerSecond: fs.rps,
          int8RowsPerSecond: qs.rps,
        });
      }
      if (opts.json) printJson(result);
      else {
        const lines = [
          `int8 ${opts.out}: ${w.bytes} bytes vs ${src.byteLength} float (${(src.byteLength / w.bytes).toFixed(2)}× smaller), hidden ${opts.hiddenPrecision}`,
        ];
        if (opts.test) {
          const r = result as {
            floatAccuracy: number;
            int8Accuracy: number;
            floatLatencyUs: { median: number };
            int8LatencyUs: { median: number };
          };
          lines.push(
            `  accuracy ${(r.int8Accuracy * 100).toFixed(2)}% vs ${(r.floatAccuracy * 100).toFixed(2)}% float; single-row median ${r.int8LatencyUs.median.toFixed(1)} µs vs ${r.floatLatencyUs.median.toFixed(1)} µs [${ctx.backend.name}]`,
          );
        }
        process.stdout.write(lines.join('\n') + '\n');
      }
      q.dispose();
      src.model.dispose();
      setExit(EXIT.OK);
    });
}
