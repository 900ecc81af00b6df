import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ElmError } from '../../core/errors.js';
import { exportStatic } from '../../adapters/node/edge/export.js';
import { EXIT, printJson } from '../output.js';
import type { SetExit } from './index.js';

export function registerExport(program: Command, setExit: SetExit): void {
  program
    .command('export')
    .description('Write a static folder (page, bundle, wasm, artifact) that any static host or CDN serves as is')
    .requiredOption('--model <file>', '.elm artifact to ship')
    .requiredOption('--out <dir>', 'output folder (created; existing files are overwritten)')
    .option('--source-maps', 'also copy the bundle source maps')
    .option('--json', 'print one JSON object instead of text')
    .action(async (opts: { model: string; out: string; sourceMaps?: boolean; json?: boolean }) => {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(opts.model);
      } catch (e) {
        throw new ElmError('ELM_ERR_DATA_NOT_FOUND', `cannot read model file "${opts.model}"`, undefined, e);
      }
      const r = exportStatic({ bytes, outDir: opts.out, sourceMaps: opts.sourceMaps === true });
      if (opts.json) printJson(r);
      else {
        process.stdout.write(
          `exported ${opts.model} to ${r.outDir}/ (${r.files.length} files)\n` +
            `  artifact  ${r.artifact}\n  serve     with any static file server, e.g. python3 -m http.server -d ${r.outDir}\n`,
        );
      }
      setExit(EXIT.OK);
    });
}
