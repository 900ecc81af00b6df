import { writeFileAtomic } from '../../adapters/node/atomic-write.js';
import { dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { sha256Hex } from '../../core/hash.js';
import { evaluate } from '../../models/evaluate.js';
import type { Model } from '../../models/model.js';
import { DATA_SPEC_GRAMMAR } from '../../data/spec.js';
import { isCompositeModel } from '../../strategies/composite.js';
import { memberArtifacts, type StrategyEncodeOptions } from '../../strategies/codecs.js';
import { CONFIDENCE_MEASURES, type ConfidenceMeasure } from '../../strategies/route/confidence.js';
import { buildRouter } from '../../strategies/route/calibrate.js';
import { cliContext, loadData, readModel, type CliContext } from '../context.js';
import { EXIT, num, printJson } from '../output.js';
import type { SetExit } from './index.js';

/**
 * Write a composite artifact: self-contained (members embedded) by default; with external, each member is written
 * as <sha256>.elm next to it and the composite only references them (readModel resolves them from there).
 */
export async function writeComposite(
  ctx: CliContext,
  model: Model,
  path: string,
  external = false,
): Promise<{ bytes: number; contentHash: string; members: { role: string; contentHash: string; file?: string }[] }> {
  const members: { role: string; contentHash: string; file?: string }[] = [];
  if (isCompositeModel(model)) {
    for (const a of memberArtifacts(ctx.codecs, model.members)) {
      const m: { role: string; contentHash: string; file?: string } = { role: a.role, contentHash: a.contentHash };
      if (external) {
        m.file = join(dirname(path), `${a.contentHash}.elm`);
        await writeFileAtomic(m.file, a.bytes);
      }
      members.push(m);
    }
  }
  const opts: StrategyEncodeOptions = { embedMembers: !external };
  const bytes = ctx.codecs.encode(model, opts);
  await writeFileAtomic(path, bytes);
  return { bytes: bytes.length, contentHash: sha256Hex(bytes), members };
}

interface RouteOpts {
  small: string;
  large: string;
  calibrate: string;
  targetAccuracyDrop?: number;
  maxEscalation?: number;
  measure: ConfidenceMeasure | 'auto';
  out: string;
  test?: string;
  externalMembers?: boolean;
  json?: boolean;
}

export function registerRoute(program: Command, setExit: SetExit): void {
  program
    .command('route')
    .description('Build a calibrated cascade: the small model answers when confident, the rest go to the large one')
    .requiredOption('--small <file>', 'small (cheap) classifier artifact')
    .requiredOption('--large <file>', 'large (accurate) classifier artifact')
    .requiredOption('--calibrate <spec>', 'held-out labelled data to calibrate the threshold on')
    .option(
      '--target-accuracy-drop <eps>',
      'stay within eps (fraction: 0.003 = 0.3 points) of the large model',
      num('target-accuracy-drop'),
    )
    .option('--max-escalation <rate>', 'escalate at most this fraction of rows', num('max-escalation'))
    .addOption(
      new Option('--measure <m>', "confidence measure ('auto': the one that escalates least on --calibrate)")
        .choices([...CONFIDENCE_MEASURES, 'auto'])
        .default('max'),
    )
    .requiredOption('--out <file>', 'where to write the router artifact')
    .option('--external-members', 'write members as <sha256>.elm next to --out instead of embedding them')
    .option('--test <spec>', 'labelled data to report the cascade on')
    .option('--json', 'print one JSON object instead of text')
    .addHelpText('after', `\nData specs:\n${DATA_SPEC_GRAMMAR}`)
    .action(async (opts: RouteOpts) => {
      const ctx = await cliContext();
      const small = await readModel(ctx, opts.small);
      const large = await readModel(ctx, opts.large);
      const cal = await loadData(opts.calibrate, small.model);
      const target = {
        measure: opts.measure,
        ...(opts.maxEscalation !== undefined ? { maxEscalation: opts.maxEscalation } : {}),
        accuracyDrop: opts.targetAccuracyDrop ?? (opts.maxEscalation === undefined ? 0.003 : undefined),
      };
      if (target.accuracyDrop === undefined) delete target.accuracyDrop;
      const { router, calibration } = buildRouter(
        { role: 'small', model: small.model, contentHash: small.contentHash },
        { role: 'large', model: large.model, contentHash: large.contentHash },
        cal,
        target,
      );
      const result: Record<string, unknown> = { calibration };
      if (opts.test) {
        const test = await loadData(opts.test, router);
        router.resetUsage();
        const ev = evaluate(router, test);
        const u = router.usage();
        result.test = {
          rows: ev.rows,
          accuracy: ev.accuracy,
          smallShare: u.members[0]!.share,
          flopsPerQuery: u.flops / Math.max(1, u.queries),
          largeFlopsPerQuery: large.model.flopsPerRow,
        };
      }
      const w = await writeComposite(ctx, router, opts.out, opts.externalMembers);
      Object.assign(result, { out: opts.out, artifactBytes: w.bytes, contentHash: w.contentHash, members: w.members });
      if (opts.json) printJson(result);
      else {
        const c = calibration;
        const lines = [
          `router: ${c.measure} < ${c.threshold.toFixed(4)} escalates; on ${c.rows} calibration rows ${(c.escalationRate * 100).toFixed(1)}% escalate, accuracy ${(c.accuracy * 100).toFixed(2)}% (small ${(c.smallAccuracy * 100).toFixed(2)}%, large ${(c.largeAccuracy * 100).toFixed(2)}%)${c.met ? '' : ' — target NOT met'}`,
        ];
        const t = result.test as
          { accuracy: number; smallShare: number; flopsPerQuery: number; largeFlopsPerQuery: number } | undefined;
        if (t)
          lines.push(
            `  test: accuracy ${(t.accuracy * 100).toFixed(2)}%, ${(t.smallShare * 100).toFixed(1)}% answered by small, compute ${((t.flopsPerQuery / t.largeFlopsPerQuery) * 100).toFixed(1)}% of large`,
          );
        lines.push(
          `  wrote ${opts.out} (${w.bytes} bytes, sha256 ${w.contentHash.slice(0, 16)}…${opts.externalMembers ? ', members external' : ''})`,
        );
        process.stdout.write(lines.join('\n') + '\n');
      }
      router.dispose();
      setExit(EXIT.OK);
    });
}
