/**
 * Deterministic train/test split.
 *
 * Rule: p = permutation(rows, seed) (core/prng.ts: seeded Fisher–Yates on xoshiro128**, platform independent);
 * nTest = ceil(rows × testFraction − 1e-9) (scikit-learn's train_test_split rule, robust to
 * float error), nTrain = rows − nTest;
 * test = rows p[0..nTest), train = rows p[nTest..rows), each kept in permutation order (i.e. shuffled).
 * For digits (1797 rows, testFraction 0.2, seed DIGITS_SPLIT_SEED) this gives 1437 train / 360 test rows.
 */
import { ElmError } from '../core/errors.js';
import { permutation } from '../core/prng.js';
import { selectRows, type Dataset } from './dataset.js';

/** The seed of the fixed digits:train / digits:test split. Part of the data contract: never change it. */
export const DIGITS_SPLIT_SEED = 42;
export const DEFAULT_TEST_FRACTION = 0.2;

export interface SplitOptions {
  /** Fraction of rows in the test part, in (0, 1). Default 0.2. */
  testFraction?: number;
  /** Permutation seed (uint32). Default DIGITS_SPLIT_SEED. */
  seed?: number;
}

export interface SplitIndices {
  train: Uint32Array;
  test: Uint32Array;
}

export function splitIndices(rows: number, opts: SplitOptions = {}): SplitIndices {
  const f = opts.testFraction ?? DEFAULT_TEST_FRACTION;
  const seed = opts.seed ?? DIGITS_SPLIT_SEED;
  if (!(f > 0 && f < 1))
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `testFraction must be in (0, 1), got ${f}`, { testFraction: f });
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `split seed must be a uint32, got ${seed}`, { seed });
  }
  const nTest = Math.ceil(rows * f - 1e-9); // tolerance: 10 × 0.3 must give 3, not 4
  if (rows < 2 || nTest >= rows) {
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `cannot split ${rows} rows with testFraction ${f}`, {
      rows,
      testFraction: f,
    });
  }
  const p = permutation(rows, seed);
  return { test: p.subarray(0, nTest), train: p.subarray(nTest) };
}

/** Split a data set into fresh train and test data sets named `<name>:train` / `<name>:test` unless names given. */
export function trainTestSplit(
  ds: Dataset,
  opts: SplitOptions & { trainName?: string; testName?: string } = {},
): { train: Dataset; test: Dataset } {
  const { train, test } = splitIndices(ds.rows, opts);
  return {
    train: selectRows(ds, train, opts.trainName ?? `${ds.name}:train`),
    test: selectRows(ds, test, opts.testName ?? `${ds.name}:test`),
  };
}
