/** Data sets: the Dataset type, CSV and IDX parsers, labels, splits, the digits set and data specs. Platform-free. */
export * from './dataset.js';
export * from './csv.js';
export { forEachRecord, type RecordSink } from './csv-tokenize.js';
export * from './idx.js';
export * from './labels.js';
export * from './number.js';
export * from './split.js';
export * from './digits.js';
export * from './spec.js';
