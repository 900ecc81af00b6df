/**
 * Class labels ↔ class indices.
 *
 * Rule (documented in docs/data.md): labels are compared after trimming. If every label is a decimal number, the
 * classes are the distinct numeric values in ascending numeric order and each class is named by its canonical
 * decimal form (String(Number(v)): "07" and "7.0" are both class "7"). Otherwise the classes are the distinct
 * strings in ascending UTF-16 code-unit order (locale independent). So "0".."9" map to indices 0..9, and two files
 * holding the same classes get the same mapping whatever their row order.
 */
import { ElmError } from '../core/errors.js';
import type { ClassificationDataset } from './dataset.js';
import { parseDecimal } from './number.js';

export interface EncodedLabels {
  y: Int32Array;
  labels: string[];
}

/** Canonical class name of one raw label under the rule above (numeric labels only when `numeric`). */
function canonical(raw: string, numeric: boolean): string {
  const t = raw.trim();
  return numeric ? String(parseDecimal(t)) : t;
}

/** True when every label is a plain decimal number. */
export function allNumeric(values: readonly string[]): boolean {
  for (const v of values) if (parseDecimal(v) === undefined) return false;
  return values.length > 0;
}

/** Sorted class list for raw label values, by the rule above. */
export function classList(values: readonly string[]): string[] {
  const numeric = allNumeric(values);
  const seen = new Set<string>();
  for (const v of values) seen.add(canonical(v, numeric));
  const out = [...seen];
  if (numeric) out.sort((a, b) => Number(a) - Number(b));
  else out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return out;
}

/**
 * Class indices for raw label values. With `classes` given, labels are looked up in that list (by canonical name)
 * and an unknown label is an ELM_ERR_INVALID_ARGUMENT; otherwise the list is derived with classList().
 */
export function encodeLabels(values: readonly string[], classes?: readonly string[]): EncodedLabels {
  const labels = classes ? classes.slice() : classList(values);
  const numeric = classes ? allNumeric(classes) && allNumeric(values) : allNumeric(values);
  const index = new Map<string, number>();
  labels.forEach((l, i) => index.set(numeric ? canonical(l, true) : l, i));
  const y = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const k = index.get(canonical(values[i]!, numeric));
    if (k === undefined) {
      throw new ElmError(
        'ELM_ERR_INVALID_ARGUMENT',
        `label "${values[i]}" (row ${i}) is not one of the classes ${JSON.stringify(labels)}`,
        {
          row: i,
          label: values[i],
          classes: labels,
        },
      );
    }
    y[i] = k;
  }
  return { y, labels };
}

/**
 * Re-index a classification data set onto another class list, e.g. a test file onto a trained model's labels.
 * Every class of the data set must appear in `labels`; the result is a new data set sharing x.
 */
export function remapLabels(ds: ClassificationDataset, labels: readonly string[]): ClassificationDataset {
  const { y } = encodeLabels(ds.labels, labels);
  const out = new Int32Array(ds.rows);
  for (let i = 0; i < ds.rows; i++) out[i] = y[ds.y[i]!]!;
  return { ...ds, y: out, labels: labels.slice() };
}
