/**
 * scikit-learn's digits (1797 × 64, 8 × 8 images of integer pixels 0..16, classes 0..9), shipped in the repo as
 * data/digits.csv.gz — the file from scikit-learn, unchanged: no header, 65 columns, the last is the label.
 * This module parses the (decompressed) text; the node adapter finds and gunzips the file.
 */
import { ElmError } from '../core/errors.js';
import { parseCsv } from './csv.js';
import type { ClassificationDataset, Dataset } from './dataset.js';
import { DIGITS_SPLIT_SEED, trainTestSplit } from './split.js';

export const DIGITS_ROWS = 1797;
export const DIGITS_COLS = 64;
export const DIGITS_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export type DigitsSubset = 'all' | 'train' | 'test';

/** sklearn's feature names: pixel_<row>_<col>. */
export const DIGITS_FEATURE_NAMES: string[] = Array.from(
  { length: 64 },
  (_, i) => `pixel_${Math.floor(i / 8)}_${i % 8}`,
);

export function parseDigitsCsv(input: string | Uint8Array): ClassificationDataset {
  const ds = parseCsv(input, {
    header: false,
    label: -1,
    task: 'classification',
    classes: DIGITS_CLASSES,
    name: 'digits',
  });
  if (ds.task !== 'classification' || ds.cols !== DIGITS_COLS || ds.rows !== DIGITS_ROWS) {
    throw new ElmError(
      'ELM_ERR_DATA_PARSE',
      `digits: expected ${DIGITS_ROWS} × ${DIGITS_COLS + 1}, found ${ds.rows} × ${ds.cols + 1}`,
      {
        rows: ds.rows,
        cols: ds.cols,
      },
    );
  }
  return { ...ds, featureNames: DIGITS_FEATURE_NAMES.slice(), sameUnits: true };
}

/** digits (all rows, file order), digits:train or digits:test (the fixed 80/20 split with DIGITS_SPLIT_SEED). */
export function digitsSubset(all: Dataset, subset: DigitsSubset): Dataset {
  if (subset === 'all') return all;
  const { train, test } = trainTestSplit(all, { seed: DIGITS_SPLIT_SEED, testFraction: 0.2 });
  return subset === 'train' ? train : test;
}
