/** HTTP caching helpers shared by the artifact and asset routes. */

export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Always revalidate (cheap: a 304 when the ETag still matches). */
export const REVALIDATE = 'no-cache';

/** Cross-origin isolation: what a page needs for SharedArrayBuffer (wasm threads) and precise timers. */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
} as const;

/** The entity tags an If-None-Match header lists (weak comparison, as RFC 9110 requires for If-None-Match). */
export function parseIfNoneMatch(header: string | string[] | undefined): string[] | '*' {
  const v = Array.isArray(header) ? header.join(',') : (header ?? '');
  if (v.trim() === '*') return '*';
  const tags: string[] = [];
  for (const m of v.matchAll(/(?:W\/)?"([^"]*)"/g)) tags.push(m[1]!);
  return tags;
}

/** Whether If-None-Match matches any of our tags (opaque values without quotes). */
export function notModified(header: string | string[] | undefined, ours: readonly string[]): boolean {
  if (header === undefined) return false;
  const tags = parseIfNoneMatch(header);
  return tags === '*' || tags.some((t) => ours.includes(t));
}

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.gz': 'application/gzip',
  '.elm': 'application/octet-stream',
  '.css': 'text/css; charset=utf-8',
};

export function contentTypeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return CONTENT_TYPES[dot >= 0 ? name.slice(dot) : ''] ?? 'application/octet-stream';
}
