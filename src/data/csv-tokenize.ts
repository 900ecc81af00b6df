/**
 * RFC 4180 record splitting: delimiter-separated fields, double-quoted fields (which may hold delimiters, quotes
 * written as "" and line breaks), LF or CRLF line ends, an optional UTF-8 byte-order mark. Blank lines are skipped.
 * Lines without a quote take a fast path (native indexOf/split); only quoted records are scanned char by char.
 */
import { ElmError } from '../core/errors.js';

/** Called once per non-blank record with its raw cells and the 1-based line on which the record starts. */
export type RecordSink = (cells: string[], line: number) => void;

const LF = 10;
const CR = 13;
const QUOTE = 34;

export function forEachRecord(text: string, delimiter: string, sink: RecordSink): void {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new ElmError(
      'ELM_ERR_INVALID_ARGUMENT',
      `CSV delimiter must be one character other than a quote or line break`,
      { delimiter },
    );
  }
  const n = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let nextQuote = text.indexOf('"', pos);
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    if (nextQuote >= 0 && nextQuote < pos) nextQuote = text.indexOf('"', pos);
    if (nextQuote < 0 || nextQuote >= end) {
      const lineEnd = end > pos && text.charCodeAt(end - 1) === CR ? end - 1 : end;
      const s = text.slice(pos, lineEnd);
      if (!isBlank(s)) sink(s.split(delimiter), line);
      pos = end + 1;
      line++;
      continue;
    }
    const r = quotedRecord(text, pos, delimiter.charCodeAt(0), line);
    sink(r.cells, line);
    pos = r.next;
    line = r.nextLine;
  }
}

function isBlank(s: string): boolean {
  return s.length === 0 || (s.charCodeAt(0) <= 32 && s.trim().length === 0);
}

function parseError(line: number, message: string): ElmError {
  return new ElmError('ELM_ERR_DATA_PARSE', `line ${line}: ${message}`, { line });
}

/** Scans one record that contains at least one quote, starting at `pos` (the start of a line). */
function quotedRecord(
  text: string,
  pos: number,
  delim: number,
  line: number,
): { cells: string[]; next: number; nextLine: number } {
  const n = text.length;
  const cells: string[] = [];
  let i = pos;
  let cur = line;
  for (;;) {
    // Start of a field: optional spaces, then either a quoted or an unquoted field.
    let j = i;
    while (j < n && text.charCodeAt(j) === 32) j++;
    if (j < n && text.charCodeAt(j) === QUOTE) {
      let value = '';
      let k = j + 1;
      for (;;) {
        const q = text.indexOf('"', k);
        if (q < 0) throw parseError(line, 'unterminated quoted field (no closing quote before the end of the file)');
        const chunk = text.slice(k, q);
        value += chunk;
        for (let c = chunk.indexOf('\n'); c >= 0; c = chunk.indexOf('\n', c + 1)) cur++;
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          k = q + 2;
        } else {
          k = q + 1;
          break;
        }
      }
      while (k < n && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === CR)) k++;
      const c = k < n ? text.charCodeAt(k) : LF;
      if (c !== delim && c !== LF)
        throw parseError(cur, `unexpected character ${JSON.stringify(text[k])} after a closing quote`);
      cells.push(value);
      i = k;
    } else {
      let k = i;
      while (k < n) {
        const c = text.charCodeAt(k);
        if (c === delim || c === LF) break;
        k++;
      }
      const lineEnd = k > i && text.charCodeAt(k - 1) === CR && (k === n || text.charCodeAt(k) === LF) ? k - 1 : k;
      cells.push(text.slice(i, lineEnd));
      i = k;
    }
    if (i >= n) return { cells, next: n, nextLine: cur + 1 };
    if (text.charCodeAt(i) === LF) return { cells, next: i + 1, nextLine: cur + 1 };
    i++; // delimiter
  }
}
