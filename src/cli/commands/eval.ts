import type { Command } from 'commander';
import { evaluate } from '../../models/evaluate.js';
import { DATA_SPEC_GRAMMAR } from '../../data/spec.js';
import { cliContext, loadData, readModel } from '../context.js';
import { EXIT, printJson } from '../output.js';
import type { SetExit } from './index.js';

export function registerEval(program: Command, setExit: SetExit): void {
  program
    .command('eval')
    .description('Evaluate a saved model on a data set (accuracy or RMSE)')
    .requiredOption('--model <file>', '.elm artifact')
    .requiredOption('--data <spec>', 'labelled data to score on')
    .option('--json', 'print one JSON object instead of text')
    .addHelpText('after', `\nData specs:\n${DATA_SPEC_GRAMMAR}`)
    .action(async (opts: { model: string; data: string; json?: boolean }) => {
      const ctx = await cliContext();
      const { model, contentHash } = await readModel(ctx, opts.model);
      const data = await loadData(opts.data, model);
      const ev = evaluate(model, data);
      const result = {
        model: opts.model,
        contentHash,
        kind: model.kind,
        task: model.task,
        data: opts.data,
        backend: ctx.backend.name,
        ...ev,
      };
      if (opts.json) printJson(result);
      else {
        const score =
          ev.accuracy !== undefined ? `accuracy ${(ev.accuracy * 100).toFixed(2)}%` : `RMSE ${ev.rmse!.toPrecision(4)}`;
        process.stdout.write(`${score} on ${ev.rows} rows (${(ev.seconds * 1000).toFixed(1)} ms)\n`);
      }
      model.dispose();
      setExit(EXIT.OK);
    });
}
