/**
 * The in-memory data set every loader produces and every model consumes: flat, row-major typed arrays.
 * Data sets are treated as immutable by convention — a model that standardises inputs copies first.
 */
import { ElmError } from '../core/errors.js';

interface DatasetBase {
  /** Human-readable name, usually the spec it was loaded from (`digits:train`, `csv:iris.csv`). */
  name: string;
  /** Features, rows × cols, row-major. */
  x: Float32Array;
  rows: number;
  cols: number;
  /** Column names of the features (CSV header, `pixel_r_c` for digits); absent for IDX. */
  featureNames?: string[];
  /** True when every feature is in the same unit (image pixels): models may then scale all features alike. */
  sameUnits?: boolean;
}

export interface ClassificationDataset extends DatasetBase {
  task: 'classification';
  /** Class index per row, 0 ≤ y[i] < labels.length. */
  y: Int32Array;
  /** Class names, index → name. Numeric labels use their canonical decimal form ("0".."9"). */
  labels: string[];
  targets?: undefined;
  targetNames?: undefined;
}

export interface RegressionDataset extends DatasetBase {
  task: 'regression';
  /** Targets, rows × targets, row-major. */
  y: Float32Array;
  /** Number of target columns (1 for a CSV label column). */
  targets: number;
  targetNames?: string[];
  labels?: undefined;
}

export type Dataset = ClassificationDataset | RegressionDataset;

export function isClassification(ds: Dataset): ds is ClassificationDataset {
  return ds.task === 'classification';
}

/** Number of model outputs the data set calls for: classes for classification, targets for regression. */
export function outputCount(ds: Dataset): number {
  return ds.task === 'classification' ? ds.labels.length : ds.targets;
}

/** Checks every invariant of a data set (array lengths, class indices in range, finite values). */
export function validateDataset(ds: Dataset): void {
  const fail = (message: string, details: Record<string, unknown>): never => {
    throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `data set ${ds.name}: ${message}`, details);
  };
  if (!Number.isInteger(ds.rows) || ds.rows < 0 || !Number.isInteger(ds.cols) || ds.cols < 0) {
    fail('rows and cols must be non-negative integers', { rows: ds.rows, cols: ds.cols });
  }
  if (ds.x.length !== ds.rows * ds.cols)
    fail('x.length ≠ rows × cols', { length: ds.x.length, rows: ds.rows, cols: ds.cols });
  if (ds.featureNames !== undefined && ds.featureNames.length !== ds.cols) {
    fail('featureNames.length ≠ cols', { featureNames: ds.featureNames.length, cols: ds.cols });
  }
  for (let i = 0; i < ds.x.length; i++) {
    if (!Number.isFinite(ds.x[i]!))
      throw new ElmError('ELM_ERR_NON_FINITE', `data set ${ds.name}: x has a non-finite value`, { index: i });
  }
  if (ds.task === 'classification') {
    if (ds.y.length !== ds.rows) fail('y.length ≠ rows', { length: ds.y.length, rows: ds.rows });
    const k = ds.labels.length;
    for (let i = 0; i < ds.y.length; i++) {
      const c = ds.y[i]!;
      if (c < 0 || c >= k) fail(`class index ${c} out of range [0, ${k})`, { row: i, index: c, classes: k });
    }
  } else {
    if (ds.y.length !== ds.rows * ds.targets)
      fail('y.length ≠ rows × targets', { length: ds.y.length, rows: ds.rows, targets: ds.targets });
    for (let i = 0; i < ds.y.length; i++) {
      if (!Number.isFinite(ds.y[i]!))
        throw new ElmError('ELM_ERR_NON_FINITE', `data set ${ds.name}: y has a non-finite value`, { index: i });
    }
  }
}

/** A new data set holding the given rows, in the given order (features and targets copied). */
export function selectRows(ds: Dataset, indices: ArrayLike<number>, name = ds.name): Dataset {
  const n = indices.length;
  const c = ds.cols;
  const x = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    const r = indices[i]!;
    if (!(r >= 0 && r < ds.rows && Number.isInteger(r))) {
      throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `row index ${r} out of range [0, ${ds.rows})`, {
        index: r,
        rows: ds.rows,
      });
    }
    x.set(ds.x.subarray(r * c, r * c + c), i * c);
  }
  const common = {
    name,
    x,
    rows: n,
    cols: c,
    ...(ds.featureNames ? { featureNames: ds.featureNames.slice() } : {}),
    ...(ds.sameUnits ? { sameUnits: true } : {}),
  };
  if (ds.task === 'classification') {
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) y[i] = ds.y[indices[i]!]!;
    return { ...common, task: 'classification', y, labels: ds.labels.slice() };
  }
  const t = ds.targets;
  const y = new Float32Array(n * t);
  for (let i = 0; i < n; i++) y.set(ds.y.subarray(indices[i]! * t, indices[i]! * t + t), i * t);
  return {
    ...common,
    task: 'regression',
    y,
    targets: t,
    ...(ds.targetNames ? { targetNames: ds.targetNames.slice() } : {}),
  };
}

/** The first n rows as views on the same buffers (no copy). n larger than rows is an error. */
export function headRows(ds: Dataset, n: number, name = ds.name): Dataset {
  if (!Number.isInteger(n) || n < 0 || n > ds.rows) {
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `cannot take ${n} rows from ${ds.name}, which has ${ds.rows}`, {
      n,
      rows: ds.rows,
    });
  }
  const x = ds.x.subarray(0, n * ds.cols);
  if (ds.task === 'classification') return { ...ds, name, x, rows: n, y: ds.y.subarray(0, n) };
  return { ...ds, name, x, rows: n, y: ds.y.subarray(0, n * ds.targets) };
}

/** A deep copy (fresh buffers), e.g. to hand out a cached data set safely. */
export function cloneDataset(ds: Dataset): Dataset {
  const base = {
    name: ds.name,
    x: ds.x.slice(),
    rows: ds.rows,
    cols: ds.cols,
    ...(ds.featureNames ? { featureNames: ds.featureNames.slice() } : {}),
  };
  if (ds.task === 'classification')
    return { ...base, task: 'classification', y: ds.y.slice(), labels: ds.labels.slice() };
  return {
    ...base,
    task: 'regression',
    y: ds.y.slice(),
    targets: ds.targets,
    ...(ds.targetNames ? { targetNames: ds.targetNames.slice() } : {}),
  };
}
