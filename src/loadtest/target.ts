import { ElmError } from '../core/errors.js';

/** A parsed benchmark target: where the raw connections go and the base path of the OIP routes. */
export interface Target {
  url: string;
  host: string;
  port: number;
  /** Path prefix before /v2 (usually empty). */
  base: string;
  /** The Host header value. */
  hostHeader: string;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Parse and check a target URL: plain http only (the generator speaks HTTP/1.1 over TCP). */
export function parseTarget(url: string): Target {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `--url: "${url}" is not a URL`);
  }
  if (u.protocol !== 'http:')
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `--url: only http:// targets are supported, got ${u.protocol}`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port ? Number(u.port) : 80;
  return {
    url: u.origin + u.pathname.replace(/\/$/, ''),
    host,
    port,
    base: u.pathname.replace(/\/$/, ''),
    hostHeader: u.host,
  };
}

/**
 * The loopback rule: a server the benchmark started itself must be reached on a loopback address (the generator
 * never sends load anywhere but to the server it started or the --url it was given).
 */
export function startedServerTarget(url: string): Target {
  const t = parseTarget(url);
  if (!isLoopbackHost(t.host))
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `refusing non-loopback server URL ${url}`);
  return t;
}
