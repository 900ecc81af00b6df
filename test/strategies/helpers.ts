import { loadDataSpec } from '../../src/adapters/node/data-files.js';
import type { ClassificationDataset } from '../../src/data/dataset.js';
import { ModelCodecs } from '../../src/models/artifact/codecs.js';
import { ELM } from '../../src/models/elm.js';
import { registerStrategyCodecs } from '../../src/strategies/codecs.js';

export function strategyCodecs(): ModelCodecs {
  return registerStrategyCodecs(new ModelCodecs());
}

let cached: Promise<Fixtures> | undefined;
export interface Fixtures {
  train: ClassificationDataset;
  test: ClassificationDataset;
  small: ELM;
  large: ELM;
}

/** digits train/test and two classifiers (L = 16 and 512), built once per test file. */
export function digits(): Promise<Fixtures> {
  return (cached ??= (async () => {
    const train = (await loadDataSpec('digits:train')) as ClassificationDataset;
    const test = (await loadDataSpec('digits:test')) as ClassificationDataset;
    const small = ELM.fit(train, { hidden: 16, seed: 3 });
    const large = ELM.fit(train, { hidden: 512, seed: 4 });
    return { train, test, small, large };
  })());
}

export function rows(d: ClassificationDataset, r0: number, r1: number): ClassificationDataset {
  return { ...d, x: d.x.subarray(r0 * d.cols, r1 * d.cols), y: d.y.subarray(r0, r1), rows: r1 - r0 };
}
