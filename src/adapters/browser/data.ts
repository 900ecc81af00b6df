/** Data in the browser: the digits set fetched from the page's origin (gzip decoded by the engine). */
import { digitsSubset, parseDigitsCsv, type DigitsSubset } from '../../data/digits.js';
import type { Dataset } from '../../data/dataset.js';

/** gunzip with the web-standard DecompressionStream when the bytes start with the gzip magic. */
export async function maybeGunzip(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** sklearn's digits from a URL serving digits.csv.gz (the demo serves it at `digits.csv.gz` beside the page). */
export async function fetchDigits(url: string | URL, subset: DigitsSubset = 'all'): Promise<Dataset> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${String(url)}: HTTP ${res.status}`);
  const bytes = await maybeGunzip(new Uint8Array(await res.arrayBuffer()));
  return digitsSubset(parseDigitsCsv(bytes), subset);
}
