import { Command, Option } from 'commander';
import { evaluate } from '../../models/evaluate.js';
import { DEFAULT_ELM_CONFIG } from '../../models/model.js';
import { DATA_SPEC_GRAMMAR } from '../../data/spec.js';
import { trainMixture } from '../../strategies/moe/train.js';
import { cliContext, loadData, progress } from '../context.js';
import { EXIT, num, printJson } from '../output.js';
import { writeComposite } from './route.js';
import type { SetExit } from './index.js';

interface MoeOpts {
  data: string;
  experts: number;
  hidden: number;
  topK: number;
  gate: 'kmeans' | 'elm';
  gateHidden: number;
  overlap: number;
  seed: number;
  C: number;
  out: string;
  test?: string;
  externalMembers?: boolean;
  json?: boolean;
}

export function registerMoe(program: Command, setExit: SetExit): void {
  program
    .command('moe')
    .description('Train a mixture of ELM experts: a gate partitions the inputs, only the top-k experts run per row')
    .requiredOption('--data <spec>', 'training data')
    .requiredOption('--experts <E>', 'number of experts', num('experts', true))
    .requiredOption('--hidden <L>', 'hidden units per expert', num('hidden', true))
    .option('--top-k <k>', 'experts run per row', num('top-k', true), 1)
    .addOption(
      new Option('--gate <g>', 'gate: k-means centroids or a small ELM').choices(['kmeans', 'elm']).default('kmeans'),
    )
    .option('--gate-hidden <n>', 'hidden units of an ELM gate', num('gate-hidden', true), 128)
    .option('--overlap <f>', 'train experts on border rows too (0 = disjoint)', num('overlap'), 0.5)
    .option('--seed <n>', 'seed', num('seed', true), DEFAULT_ELM_CONFIG.seed)
    .option('--C <c>', 'ridge parameter', num('C'), DEFAULT_ELM_CONFIG.C)
    .requiredOption('--out <file>', 'where to write the mixture artifact')
    .option('--test <spec>', 'labelled data to report on')
    .option('--external-members', 'write experts as <sha256>.elm next to --out instead of embedding them')
    .option('--json', 'print one JSON object instead of text')
    .addHelpText('after', `\nData specs:\n${DATA_SPEC_GRAMMAR}`)
    .action(async (opts: MoeOpts) => {
      const ctx = await cliContext();
      const data = await loadData(opts.data);
      const bar = progress('experts', !opts.json);
      const moe = (() => {
        try {
          return trainMixture(data, {
            experts: opts.experts,
            hidden: opts.hidden,
            topK: opts.topK,
            gate: opts.gate,
            gateHidden: opts.gateHidden,
            overlap: opts.overlap,
            config: { seed: opts.seed, C: opts.C },
            backend: ctx.backend,
            onProgress: (d, t) => bar.update(d, t),
          });
        } finally {
          bar.stop();
        }
      })();
      const result: Record<string, unknown> = {
        experts: opts.experts,
        hidden: opts.hidden,
        topK: opts.topK,
        gate: opts.gate,
        expertRows: moe.metrics.expertRows,
        trainSeconds: moe.metrics.trainSeconds,
        flopsPerRow: moe.flopsPerRow,
      };
      if (opts.test) {
        const test = await loadData(opts.test, moe);
        moe.resetUsage();
        result.testAccuracy = evaluate(moe, test).accuracy;
        moe.metrics.testAccuracy = result.testAccuracy as number;
        result.expertShare = moe.usage().members.map((m) => m.share);
      }
      const w = await writeComposite(ctx, moe, opts.out, opts.externalMembers);
      Object.assign(result, { out: opts.out, artifactBytes: w.bytes, contentHash: w.contentHash, members: w.members });
      if (opts.json) printJson(result);
      else {
        const lines = [
          `mixture of ${opts.experts} experts × ${opts.hidden} hidden, top-${opts.topK}, ${opts.gate} gate; expert rows ${String(result.expertRows)}; trained in ${Number(result.trainSeconds).toFixed(2)} s`,
        ];
        if (opts.test) lines.push(`  test accuracy ${(Number(result.testAccuracy) * 100).toFixed(2)}%`);
        lines.push(`  wrote ${opts.out} (${w.bytes} bytes, sha256 ${w.contentHash.slice(0, 16)}…)`);
        process.stdout.write(lines.join('\n') + '\n');
      }
      moe.dispose();
      setExit(EXIT.OK);
    });
}
