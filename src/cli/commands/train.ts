import { Command, Option } from 'commander';
import { ACTIVATIONS, type Activation } from '../../core/types.js';
import { ELM } from '../../models/elm.js';
import { OnlineELM } from '../../models/os-elm.js';
import { KernelELM } from '../../models/kernel-elm.js';
import { evaluate } from '../../models/evaluate.js';
import { DEFAULT_ELM_CONFIG, type Model } from '../../models/model.js';
import type { Dataset } from '../../data/dataset.js';
import type { Backend } from '../../numeric/backend.js';
import { DATA_SPEC_GRAMMAR } from '../../data/spec.js';
import { cliContext, loadData, progress, writeModel, type CliContext } from '../context.js';
import { EXIT, num, printJson } from '../output.js';
import type { SetExit } from './index.js';

interface TrainOpts {
  data: string;
  test?: string;
  hidden: number;
  activation: Activation;
  seed: number;
  C: number;
  weightScale: number;
  kind: 'elm' | 'os-elm' | 'kernel-elm';
  landmarks: number;
  gamma?: number;
  chunkRows: number;
  out?: string;
  storeWeights?: boolean;
  json?: boolean;
}

export function registerTrain(program: Command, setExit: SetExit): void {
  const cmd = program.command('train').description('Train a model on a data set and save it as an .elm artifact');
  addTrainOptions(cmd)
    .addHelpText('after', `\nData specs:\n${DATA_SPEC_GRAMMAR}`)
    .action(async (opts: TrainOpts) => {
      await runTrain(opts);
      setExit(EXIT.OK);
    });
}

function addTrainOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--data <spec>', 'training data (see below)')
    .option('--test <spec>', 'held-out data to report accuracy / RMSE on')
    .option('--hidden <L>', 'hidden units', num('hidden', true), DEFAULT_ELM_CONFIG.hidden)
    .addOption(
      new Option('--activation <name>', 'hidden activation')
        .choices(ACTIVATIONS as string[])
        .default(DEFAULT_ELM_CONFIG.activation),
    )
    .option('--seed <n>', 'seed of the random hidden layer (uint32)', num('seed', true), DEFAULT_ELM_CONFIG.seed)
    .option('--C <c>', 'ridge parameter: beta = (HᵀH + I/C)⁻¹HᵀT', num('C'), DEFAULT_ELM_CONFIG.C)
    .option(
      '--weight-scale <s>',
      'scale of the random input weights',
      num('weight-scale'),
      DEFAULT_ELM_CONFIG.weightScale,
    )
    .addOption(new Option('--kind <kind>', 'model family').choices(['elm', 'os-elm', 'kernel-elm']).default('elm'))
    .option(
      '--landmarks <k>',
      'kernel-elm: Nyström landmarks (exact kernel when rows ≤ k)',
      num('landmarks', true),
      1000,
    )
    .option('--gamma <g>', 'kernel-elm: RBF width (default 1/features)', num('gamma'))
    .option(
      '--chunk-rows <n>',
      'rows per training block (memory O(L² + n·L))',
      num('chunk-rows', true),
      DEFAULT_ELM_CONFIG.chunkRows,
    )
    .option('--out <file>', 'where to write the .elm artifact')
    .option('--store-weights', 'store hidden weights in the artifact instead of regenerating them from the seed')
    .option('--json', 'print one JSON object instead of text');
}

/** Train, evaluate on --test, write --out, print: the whole command. */
async function runTrain(opts: TrainOpts): Promise<void> {
  const ctx = await cliContext();
  const train = await loadData(opts.data);
  const bar = progress('training', !opts.json);
  let model: Model;
  try {
    model = fitModel(opts, train, ctx.backend, (d, t) => bar.update(d, t));
  } finally {
    bar.stop();
  }
  const result: Record<string, unknown> = {
    kind: model.kind,
    task: model.task,
    backend: ctx.backend.name,
    data: opts.data,
    rows: train.rows,
    features: train.cols,
    outputs: model.outputDim,
    hidden: opts.kind === 'kernel-elm' ? (model as KernelELM).centreCount : opts.hidden,
    activation: opts.activation,
    trainSeconds: model.metrics.trainSeconds,
  };
  if (opts.test) Object.assign(result, await testMetrics(model, opts.test));
  if (opts.out) Object.assign(result, await writeArtifact(ctx, model, opts));
  // A trained model that is not written anywhere is easy to lose: say so (stderr, so --json stays one object).
  else process.stderr.write('elmscale: the model was not saved (give --out <file.elm> to keep it)\n');
  if (opts.json) printJson(result);
  else process.stdout.write(summaryLines(result, opts, ctx.backend.name).join('\n') + '\n');
  model.dispose();
}

/** Fit the model family named by --kind with the flags' configuration. */
function fitModel(
  opts: TrainOpts,
  train: Dataset,
  backend: Backend,
  onProgress: (done: number, total: number) => void,
): Model {
  const fitOpts = { backend, onProgress };
  if (opts.kind === 'kernel-elm') {
    const kcfg = {
      C: opts.C,
      landmarks: opts.landmarks,
      seed: opts.seed,
      chunkRows: opts.chunkRows,
      ...(opts.gamma ? { gamma: opts.gamma } : {}),
    };
    return KernelELM.fit(train, kcfg, fitOpts);
  }
  const cfg = {
    hidden: opts.hidden,
    activation: opts.activation,
    seed: opts.seed,
    C: opts.C,
    weightScale: opts.weightScale,
    chunkRows: opts.chunkRows,
  };
  return opts.kind === 'os-elm' ? OnlineELM.fit(train, cfg, fitOpts) : ELM.fit(train, cfg, fitOpts);
}

/** Accuracy or RMSE on the held-out data, also recorded in the model's metrics (and so in its artifact). */
async function testMetrics(model: Model, spec: string): Promise<Record<string, unknown>> {
  const test = await loadData(spec, model);
  const ev = evaluate(model, test);
  const out: Record<string, unknown> = {};
  if (ev.accuracy !== undefined) {
    out.testAccuracy = ev.accuracy;
    model.metrics.testAccuracy = ev.accuracy;
  }
  if (ev.rmse !== undefined) {
    out.testRmse = ev.rmse;
    model.metrics.testRmse = ev.rmse;
  }
  out.testRows = ev.rows;
  return out;
}

async function writeArtifact(ctx: CliContext, model: Model, opts: TrainOpts): Promise<Record<string, unknown>> {
  const written = await writeModel(ctx, model, opts.out!, opts.storeWeights);
  return { out: opts.out, artifactBytes: written.bytes, contentHash: written.contentHash };
}

/** The text report (the --json report is the result object itself). */
function summaryLines(result: Record<string, unknown>, opts: TrainOpts, backendName: string): string[] {
  const lines = [
    `trained ${result.kind} (${result.task}) on ${result.rows}×${result.features} in ${Number(result.trainSeconds).toFixed(3)} s [backend ${backendName}]`,
    `  hidden ${result.hidden}, activation ${opts.activation}, outputs ${result.outputs}`,
  ];
  if (result.testAccuracy !== undefined)
    lines.push(`  test accuracy ${(Number(result.testAccuracy) * 100).toFixed(2)}% on ${result.testRows} rows`);
  if (result.testRmse !== undefined)
    lines.push(`  test RMSE ${Number(result.testRmse).toPrecision(4)} on ${result.testRows} rows`);
  if (opts.out)
    lines.push(
      `  wrote ${opts.out} (${result.artifactBytes} bytes, sha256 ${String(result.contentHash).slice(0, 16)}…)`,
    );
  return lines;
}
