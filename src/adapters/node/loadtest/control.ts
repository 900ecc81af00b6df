import { request } from 'node:http';
import { ElmError } from '../../../core/errors.js';
import type { Target } from '../../../loadtest/target.js';

/**
 * One control-plane GET (metadata, /metrics, health) on its own connection that closes afterwards: nothing is left
 * open to keep the process alive once the benchmark is done.
 */
function get(t: Target, path: string, timeoutMs = 10_000): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: t.host,
        port: t.port,
        path: `${t.base}${path}`,
        method: 'GET',
        agent: false,
        headers: { host: t.hostHeader, connection: 'close' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** GET a JSON document, with a clear error when the target does not answer or answers otherwise. */
export async function getJson(t: Target, path: string): Promise<unknown> {
  let r: { status: number; text: string };
  try {
    r = await get(t, path);
  } catch (e) {
    throw new ElmError('ELM_ERR_DATA_NOT_FOUND', `cannot reach ${t.url}${path}: ${(e as Error).message}`, undefined, e);
  }
  if (r.status === 404)
    throw new ElmError('ELM_ERR_MODEL_NOT_FOUND', `${t.url}${path} answered 404: ${r.text.slice(0, 200)}`);
  if (r.status !== 200)
    throw new ElmError('ELM_ERR_BAD_REQUEST', `${t.url}${path} answered ${r.status}: ${r.text.slice(0, 200)}`);
  try {
    return JSON.parse(r.text);
  } catch {
    throw new ElmError('ELM_ERR_BAD_REQUEST', `${t.url}${path} did not answer JSON`);
  }
}

/** The model to load-test: the given one, else the first of GET /v2/models (a common OIP extra). */
export async function pickModel(t: Target, model: string | undefined): Promise<string> {
  if (model) return model;
  let list: unknown;
  try {
    list = await getJson(t, '/v2/models');
  } catch (e) {
    throw new ElmError(
      'ELM_ERR_INVALID_ARGUMENT',
      `give --model: ${t.url} does not list its models (${(e as Error).message})`,
    );
  }
  const names = (list as { models?: unknown }).models;
  if (!Array.isArray(names) || names.length === 0 || typeof names[0] !== 'string')
    throw new ElmError('ELM_ERR_MODEL_NOT_FOUND', `${t.url} lists no models; give --model`);
  return names[0];
}

/** The Prometheus text of GET /metrics, or undefined when the target has none (then server figures are null). */
export async function scrapeMetrics(t: Target): Promise<string | undefined> {
  try {
    const r = await get(t, '/metrics', 5000);
    return r.status === 200 ? r.text : undefined;
  } catch {
    return undefined;
  }
}

/** Wait until GET /v2/health/ready answers 200 (bounded). */
export async function waitReady(t: Target, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    try {
      const r = await get(t, '/v2/health/ready', 2000);
      if (r.status === 200) return;
      last = `status ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ElmError('ELM_ERR_MODEL_NOT_READY', `${t.url} was not ready within ${timeoutMs} ms (${last})`);
}
