import { request as httpRequest } from 'node:http';
import { loadDataSpec } from '../../src/adapters/node/data-files.js';
import { selectBackend } from '../../src/adapters/node/backends.js';
import { ELM } from '../../src/models/elm.js';
import type { ClassificationDataset } from '../../src/data/dataset.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON of any shape
export type Json = any;

let cached: Promise<{ model: ELM; model2: ELM; data: ClassificationDataset }> | undefined;

/** Two small digits classifiers (L = 64 and 96) and the digits test split, built once per test file. */
export function fixtures(): Promise<{ model: ELM; model2: ELM; data: ClassificationDataset }> {
  return (cached ??= (async () => {
    const backend = await selectBackend({ purpose: 'serving' });
    const train = (await loadDataSpec('digits:train')) as ClassificationDataset;
    const data = (await loadDataSpec('digits:test')) as ClassificationDataset;
    const model = ELM.fit(train, { hidden: 64, seed: 1 }, { backend });
    const model2 = ELM.fit(train, { hidden: 96, seed: 2 }, { backend });
    return { model, model2, data };
  })());
}

export function row(data: ClassificationDataset, i: number): number[] {
  return Array.from(data.x.subarray(i * data.cols, (i + 1) * data.cols));
}

export function inferBody(rows: number[][], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    inputs: [{ name: 'input', shape: [rows.length, rows[0]!.length], datatype: 'FP32', data: rows.flat() }],
    ...extra,
  });
}

export async function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Json; headers: Headers }> {
  const r = await fetch(url, {
    method: 'POST',
    body: body as unknown as string,
    headers: { 'content-type': 'application/json', ...headers },
  });
  const text = await r.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, json, headers: r.headers };
}

export async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Json; text: string }> {
  const r = await fetch(url, { headers });
  const text = await r.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, json, text };
}

export function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > tol) return false;
  return true;
}

/**
 * A binary_tensor_data request: JSON head announcing the FP32 rows as binary input and asking for binary
 * probabilities, then the raw rows. Returns the body, the head's length and the headers to send it with.
 */
export function binaryInferRequest(rows: number[][]): {
  body: Buffer;
  headLength: number;
  headers: Record<string, string>;
} {
  const bin = Buffer.from(Float32Array.from(rows.flat()).buffer);
  const head = Buffer.from(
    JSON.stringify({
      inputs: [
        {
          name: 'input',
          shape: [rows.length, rows[0]!.length],
          datatype: 'FP32',
          parameters: { binary_data_size: bin.length },
        },
      ],
      outputs: [{ name: 'probabilities', parameters: { binary_data: true } }],
    }),
  );
  return {
    body: Buffer.concat([head, bin]),
    headLength: head.length,
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(head.length) },
  };
}

/** A request with headers fetch() would not let us set (Host), over node:http. */
export function rawRequest(
  url: string,
  o: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; json: Json }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: o.method ?? 'GET', headers: o.headers ?? {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let json: Json;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(o.body);
  });
}
