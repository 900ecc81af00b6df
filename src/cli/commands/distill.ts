import { Command, Option } from 'commander';
import { evaluate } from '../../models/evaluate.js';
import type { ELM } from '../../models/elm.js';
import { DEFAULT_ELM_CONFIG, type Model } from '../../models/model.js';
import type { Dataset } from '../../data/dataset.js';
import type { Backend } from '../../numeric/backend.js';
import { DATA_SPEC_GRAMMAR } from '../../data/spec.js';
import { distill } from '../../strategies/distill/distill.js';
import { squareImageWidth } from '../../strategies/distill/augment.js';
import { cliContext, loadData, progress, readModel, writeModel } from '../context.js';
import { EXIT, num, printJson } from '../output.js';
import type { SetExit } from './index.js';

interface DistillCliOpts {
  teacher: string;
  data: string;
  hidden: number;
  out: string;
  targets: 'logits' | 'probs';
  temperature: number;
  labelWeight: number;
  augment: number;
  augmentation: 'jitter' | 'shift';
  imageWidth?: number;
  units: 'random' | 'teacher';
  jitter: number;
  seed: number;
  C: number;
  test?: string;
  json?: boolean;
}

export function registerDistill(program: Command, setExit: SetExit): void {
  program
    .command('distill')
    .description("Train a small student ELM on a teacher's soft outputs (any model: ELM, router, mixture)")
    .requiredOption('--teacher <file>', 'teacher artifact')
    .requiredOption('--data <spec>', 'rows to distil on (labels are only used with --label-weight)')
    .requiredOption('--hidden <L>', 'student hidden units', num('hidden', true))
    .requiredOption('--out <file>', 'where to write the student')
    .addOption(
      new Option('--targets <t>', 'regress teacher logits or softened probabilities')
        .choices(['logits', 'probs'])
        .default('logits'),
    )
    .option('--temperature <T>', 'softening of probs targets', num('temperature'), 1)
    .option('--label-weight <w>', 'weight of the one-hot labels mixed into the targets (0..1)', num('label-weight'), 0)
    .option('--augment <n>', 'extra copies of the rows, labelled by the teacher', num('augment', true), 0)
    .addOption(
      new Option('--augmentation <a>', 'how copies are made: Gaussian jitter, or image shifts (±1 pixel, 4 ways)')
        .choices(['jitter', 'shift'])
        .default('jitter'),
    )
    .option(
      '--image-width <w>',
      'image width for shift (default: square images of same-unit data)',
      num('image-width', true),
    )
    .addOption(
      new Option('--units <u>', "student hidden units: fresh random ones, or the ELM teacher's most important")
        .choices(['random', 'teacher'])
        .default('random'),
    )
    .option('--jitter <f>', 'jitter noise as a fraction of feature std', num('jitter'), 0.3)
    .option('--seed <n>', 'student seed', num('seed', true), DEFAULT_ELM_CONFIG.seed)
    .option('--C <c>', 'student ridge parameter', num('C'), DEFAULT_ELM_CONFIG.C)
    .option('--test <spec>', 'labelled data to compare student and teacher on')
    .option('--json', 'print one JSON object instead of text')
    .addHelpText('after', `\nData specs:\n${DATA_SPEC_GRAMMAR}`)
    .action(async (opts: DistillCliOpts) => {
      const ctx = await cliContext();
      const teacher = await readModel(ctx, opts.teacher);
      const data = await loadData(opts.data, teacher.model);
      const student = fitStudent(opts, teacher.model, data, ctx.backend);
      const result: Record<string, unknown> = {
        teacher: opts.teacher,
        teacherKind: teacher.model.kind,
        hidden: opts.hidden,
        trainRows: student.metrics.trainRows,
        trainSeconds: student.metrics.trainSeconds,
        computeRatio: student.flopsPerRow / teacher.model.flopsPerRow,
      };
      if (opts.test) {
        const test = await loadData(opts.test, teacher.model);
        result.teacherAccuracy = evaluate(teacher.model, test).accuracy;
        result.studentAccuracy = evaluate(student, test).accuracy;
        student.metrics.testAccuracy = result.studentAccuracy as number;
      }
      const w = await writeModel(ctx, student, opts.out);
      Object.assign(result, { out: opts.out, artifactBytes: w.bytes, contentHash: w.contentHash });
      if (opts.json) printJson(result);
      else printDistilled(result, opts);
      student.dispose();
      teacher.model.dispose();
      setExit(EXIT.OK);
    });
}

/** The distillation itself, with a progress bar for humans. */
function fitStudent(opts: DistillCliOpts, teacher: Model, data: Dataset, backend: Backend): ELM {
  const imageWidth = opts.imageWidth ?? squareImageWidth(data);
  const bar = progress('distilling', !opts.json);
  try {
    return distill(teacher, data, {
      hidden: opts.hidden,
      config: { seed: opts.seed, C: opts.C },
      targets: opts.targets,
      temperature: opts.temperature,
      labelWeight: opts.labelWeight,
      augment: opts.augment,
      augmentation: opts.augmentation,
      units: opts.units,
      jitter: opts.jitter,
      ...(imageWidth !== undefined ? { imageWidth } : {}),
      backend,
      onProgress: (d, t) => bar.update(d, t),
    });
  } finally {
    bar.stop();
  }
}

function printDistilled(result: Record<string, unknown>, opts: DistillCliOpts): void {
  const lines = [
    `student ELM (${opts.hidden} hidden, ${(Number(result.computeRatio) * 100).toFixed(1)}% of the teacher's compute) distilled on ${String(result.trainRows)} rows in ${Number(result.trainSeconds).toFixed(2)} s`,
  ];
  if (opts.test)
    lines.push(
      `  accuracy ${(Number(result.studentAccuracy) * 100).toFixed(2)}% vs teacher ${(Number(result.teacherAccuracy) * 100).toFixed(2)}%`,
    );
  lines.push(`  wrote ${opts.out} (${String(result.artifactBytes)} bytes)`);
  process.stdout.write(lines.join('\n') + '\n');
}
