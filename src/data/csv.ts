/**
 * CSV → Dataset. Platform-free: takes a string or UTF-8 bytes (already decompressed).
 *
 * - A header row names the columns (turn off with `header: false`; columns are then named c0, c1, ...).
 * - The label column is `label` (a column name, or a 0-based index; negative counts from the end). By default it
 *   is the first column named `label`, `target` or `class` (case-insensitive, in that order of preference), else
 *   the last column. Every other column is a feature and must hold a plain decimal number in every row.
 * - `task` defaults to classification, unless every label is a number and at least one is not an integer, in
 *   which case the file is read as regression. Class indices follow the rule in labels.ts.
 * - Ragged rows, empty, NaN or non-numeric feature cells, empty label cells: ELM_ERR_DATA_PARSE with the line.
 */
import { ElmError } from '../core/errors.js';
import type { Task } from '../core/types.js';
import { forEachRecord } from './csv-tokenize.js';
import type { Dataset } from './dataset.js';
import { allNumeric, encodeLabels } from './labels.js';
import { isFiniteF32, parseDecimal } from './number.js';

export interface CsvOptions {
  /** Label column: a header name, or a 0-based index (negative counts from the end). */
  label?: string | number;
  /** Force the task; by default inferred as described above. */
  task?: Task;
  /** Whether the first record is a header row (default true). */
  header?: boolean;
  /** Field delimiter, one character (default ','). */
  delimiter?: string;
  /** Name of the resulting data set (default 'csv'). */
  name?: string;
  /** Explicit class list for classification (e.g. a model's labels); unknown labels are then an error. */
  classes?: string[];
}

const DEFAULT_LABEL_NAMES = ['label', 'target', 'class'];

/** Decode UTF-8 bytes strictly; gzip bytes get a pointed error (the node adapter decompresses them). */
export function decodeText(bytes: Uint8Array, what = 'data'): string {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new ElmError('ELM_ERR_DATA_PARSE', `${what} is gzip-compressed; decompress it before parsing`, {
      gzip: true,
    });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new ElmError('ELM_ERR_DATA_PARSE', `${what} is not valid UTF-8 text`, {}, e);
  }
}

/** Resolve the label column against the header names; ELM_ERR_DATA_SPEC when it does not exist. */
export function resolveLabelColumn(names: readonly string[], label: string | number | undefined): number {
  const n = names.length;
  if (label === undefined) {
    for (const want of DEFAULT_LABEL_NAMES) {
      const i = names.findIndex((h) => h.trim().toLowerCase() === want);
      if (i >= 0) return i;
    }
    return n - 1;
  }
  if (typeof label === 'string') {
    const byName = names.indexOf(label);
    if (byName >= 0) return byName;
    if (!/^-?\d+$/.test(label.trim())) {
      throw new ElmError(
        'ELM_ERR_DATA_SPEC',
        `label column "${label}" not found; columns are ${JSON.stringify(names)}`,
        { label, columns: names },
      );
    }
    label = Number(label.trim());
  }
  const i = label < 0 ? n + label : label;
  if (!Number.isInteger(label) || i < 0 || i >= n) {
    throw new ElmError('ELM_ERR_DATA_SPEC', `label column index ${label} out of range for ${n} columns`, {
      label,
      columns: n,
    });
  }
  return i;
}

export function parseCsv(input: string | Uint8Array, opts: CsvOptions = {}): Dataset {
  const text = typeof input === 'string' ? input : decodeText(input, 'CSV data');
  const name = opts.name ?? 'csv';
  const header = opts.header ?? true;
  let names: string[] | undefined;
  let labelCol = -1;
  let cols = 0;
  let rows = 0;
  let x = new Float32Array(1024);
  const labelCells: string[] = [];
  const lines: number[] = [];

  const fail = (line: number, message: string, details: Record<string, unknown> = {}): never => {
    throw new ElmError('ELM_ERR_DATA_PARSE', `${name}: line ${line}: ${message}`, { line, ...details });
  };

  forEachRecord(text, opts.delimiter ?? ',', (cells, line) => {
    if (names === undefined) {
      names = header ? cells.map((c) => c.trim()) : cells.map((_, i) => `c${i}`);
      if (names.length < 2) fail(line, `need at least two columns (features and a label), found ${names.length}`);
      labelCol = resolveLabelColumn(names, opts.label);
      cols = names.length - 1;
      if (header) return;
    }
    if (cells.length !== names.length) {
      fail(line, `expected ${names.length} cells, found ${cells.length} (ragged row)`, {
        expected: names.length,
        found: cells.length,
      });
    }
    if (x.length < (rows + 1) * cols) {
      const grown = new Float32Array(Math.max(x.length * 2, (rows + 1) * cols));
      grown.set(x);
      x = grown;
    }
    let o = rows * cols;
    for (let j = 0; j < cells.length; j++) {
      const cell = cells[j]!;
      if (j === labelCol) {
        const t = cell.trim();
        if (t === '' || t.toLowerCase() === 'nan')
          fail(line, `label cell "${names[j]}" is empty or NaN`, { column: names[j] });
        labelCells.push(t);
        continue;
      }
      const v = parseDecimal(cell);
      if (v === undefined || !isFiniteF32(v)) {
        const shown = cell.length > 40 ? `${cell.slice(0, 40)}…` : cell;
        fail(line, `column "${names[j]}" (${j + 1}): ${JSON.stringify(shown)} is not a finite number`, {
          column: names[j],
          cell: shown,
        });
      }
      x[o++] = v!;
    }
    lines.push(line);
    rows++;
  });

  if (names === undefined)
    throw new ElmError('ELM_ERR_DATA_PARSE', `${name}: the file is empty (no header row)`, { line: 1 });
  if (rows === 0) throw new ElmError('ELM_ERR_DATA_PARSE', `${name}: no data rows after the header`, { line: 1 });
  x = x.length === rows * cols ? x : x.slice(0, rows * cols);
  const featureNames = names.filter((_, j) => j !== labelCol);
  const numericLabels = allNumeric(labelCells);
  const task: Task =
    opts.task ??
    (numericLabels && labelCells.some((l) => !Number.isInteger(parseDecimal(l))) ? 'regression' : 'classification');

  if (task === 'classification') {
    const { y, labels } = encodeLabels(labelCells, opts.classes);
    return { name, task, x, rows, cols, y, labels, featureNames };
  }
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = parseDecimal(labelCells[i]!);
    if (v === undefined || !isFiniteF32(v))
      fail(lines[i]!, `regression target ${JSON.stringify(labelCells[i])} is not a finite number`);
    y[i] = v!;
  }
  return { name, task, x, rows, cols, y, targets: 1, targetNames: [names[labelCol]!], featureNames };
}
