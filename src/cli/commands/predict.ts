import type { Command } from 'commander';
import { ElmError } from '../../core/errors.js';
import { cliContext, loadData, readModel } from '../context.js';
import { EXIT, num, printJson } from '../output.js';
import type { SetExit } from './index.js';

/** Parse --input: a JSON array of numbers (one row) or of rows. */
function parseRows(text: string, d: number): { x: Float32Array; rows: number } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', '--input must be JSON: [f1, f2, ...] or [[...], [...]]');
  }
  const rows = Array.isArray(v) && v.length > 0 && Array.isArray(v[0]) ? (v as unknown[][]) : [v as unknown[]];
  const x = new Float32Array(rows.length * d);
  rows.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== d) {
      throw new ElmError(
        'ELM_ERR_SHAPE_MISMATCH',
        `input row ${r} has ${Array.isArray(row) ? row.length : 0} values, the model expects ${d}`,
      );
    }
    row.forEach((c, j) => {
      if (typeof c !== 'number' || !Number.isFinite(c))
        throw new ElmError('ELM_ERR_NON_FINITE', `input row ${r} column ${j} is not a finite number`);
      x[r * d + j] = c;
    });
  });
  return { x, rows: rows.length };
}

export function registerPredict(program: Command, setExit: SetExit): void {
  program
    .command('predict')
    .description('Predict with a saved model, for rows given as JSON or a data spec')
    .requiredOption('--model <file>', '.elm artifact')
    .option('--input <json>', 'one row [f1, ...] or rows [[...], ...]')
    .option('--data <spec>', 'rows from a data spec instead of --input')
    .option('--limit <n>', 'with --data: only the first n rows', num('limit', true), 10)
    .option('--top <k>', 'classification: the k most likely labels per row', num('top', true), 1)
    .option('--json', 'print one JSON object instead of text')
    .action(
      async (opts: { model: string; input?: string; data?: string; limit: number; top: number; json?: boolean }) => {
        if (!opts.input === !opts.data)
          throw new ElmError('ELM_ERR_INVALID_ARGUMENT', 'give exactly one of --input or --data');
        const ctx = await cliContext();
        const { model } = await readModel(ctx, opts.model);
        let x: Float32Array, rows: number;
        if (opts.input) ({ x, rows } = parseRows(opts.input, model.inputDim));
        else {
          const ds = await loadData(opts.data!, model);
          rows = Math.min(opts.limit, ds.rows);
          x = ds.x.subarray(0, rows * ds.cols);
          if (ds.cols !== model.inputDim)
            throw new ElmError(
              'ELM_ERR_SHAPE_MISMATCH',
              `data has ${ds.cols} features, the model expects ${model.inputDim}`,
            );
        }
        const t0 = performance.now();
        const out = model.predict(x, rows);
        const micros = ((performance.now() - t0) * 1000) / rows;
        const m = model.outputDim;
        const predictions: ({ label: string; top: { label: string; probability: number }[] } | { values: number[] })[] =
          [];
        for (let r = 0; r < rows; r++) {
          const row = Array.from(out.subarray(r * m, r * m + m));
          if (model.task === 'classification') {
            const top = row
              .map((p, i) => ({ label: model.labels?.[i] ?? String(i), probability: p }))
              .sort((a, b) => b.probability - a.probability)
              .slice(0, opts.top);
            predictions.push({ label: top[0]!.label, top });
          } else predictions.push({ values: row });
        }
        if (opts.json) printJson({ rows, microsPerRow: micros, predictions });
        else
          for (const p of predictions)
            process.stdout.write(
              ('label' in p
                ? `${p.label}\t${p.top.map((t) => `${t.label}:${t.probability.toFixed(4)}`).join(' ')}`
                : p.values.map((v) => v.toPrecision(6)).join('\t')) + '\n',
            );
        model.dispose();
        setExit(EXIT.OK);
      },
    );
}
