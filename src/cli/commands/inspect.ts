import type { Command } from 'commander';
import { cliContext, readModel } from '../context.js';
import { EXIT, printJson } from '../output.js';
import type { SetExit } from './index.js';

export function registerInspect(program: Command, setExit: SetExit): void {
  program
    .command('inspect')
    .description('Show what an .elm artifact holds: kind, shapes, settings, training metrics, content hash')
    .requiredOption('--model <file>', '.elm artifact')
    .option('--json', 'print one JSON object instead of text')
    .action(async (opts: { model: string; json?: boolean }) => {
      const ctx = await cliContext();
      const t0 = performance.now();
      const loaded = await readModel(ctx, opts.model);
      const loadMs = performance.now() - t0;
      const { model, header, contentHash, byteLength } = loaded;
      const info = {
        file: opts.model,
        contentHash,
        bytes: byteLength,
        loadMs,
        flopsPerRow: model.flopsPerRow,
        ...header,
      };
      if (opts.json) printJson(info);
      else {
        const lines = [
          `${opts.model}: ${model.kind} ${model.task}, ${model.inputDim} inputs → ${model.outputDim} outputs`,
          `  sha256   ${contentHash}`,
          `  bytes    ${byteLength} (loaded in ${loadMs.toFixed(1)} ms)`,
          `  created  ${String(header.createdAt ?? '?')} by elmscale ${String(header.elmscaleVersion ?? '?')}`,
        ];
        if (header.config) lines.push(`  config   ${JSON.stringify(header.config)}`);
        if (model.labels) lines.push(`  labels   ${model.labels.join(', ')}`);
        if (header.metrics) lines.push(`  metrics  ${JSON.stringify(header.metrics)}`);
        process.stdout.write(lines.join('\n') + '\n');
      }
      model.dispose();
      setExit(EXIT.OK);
    });
}
