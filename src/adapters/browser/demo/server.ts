/** The demo's client of the server it came from: OIP v2 inference and the model repository's load endpoint. */

export interface ServerPrediction {
  probabilities: Float32Array;
  ms: number;
}

/** POST /v2/models/{name}/infer with one FP32 row; the round trip is timed. */
export async function inferOnServer(base: string, model: string, x: Float32Array): Promise<ServerPrediction> {
  const body = JSON.stringify({
    inputs: [{ name: 'input', shape: [1, x.length], datatype: 'FP32', data: Array.from(x) }],
    outputs: [{ name: 'probabilities' }],
  });
  const t0 = performance.now();
  const res = await fetch(new URL(`v2/models/${encodeURIComponent(model)}/infer`, base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const json = (await res.json()) as { outputs?: { name: string; data: number[] }[]; error?: string };
  const ms = performance.now() - t0;
  if (!res.ok) throw new Error(json.error ?? `HTTP ${res.status}`);
  const out = json.outputs?.find((o) => o.name === 'probabilities');
  if (!out) throw new Error('server reply has no probabilities output');
  return { probabilities: Float32Array.from(out.data), ms };
}

/**
 * Hand an artifact to the server: the model repository's load endpoint with the .elm bytes as the body
 * (POST /v2/repository/models/{name}/load, Content-Type application/octet-stream).
 */
export async function uploadToServer(base: string, name: string, bytes: Uint8Array): Promise<unknown> {
  const res = await fetch(new URL(`v2/repository/models/${encodeURIComponent(name)}/load`, base), {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes as BodyInit,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`upload failed: HTTP ${res.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : {};
}
