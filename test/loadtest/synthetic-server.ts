import Fastify from 'fastify';

/**
 * A tiny OIP-shaped server for load-test tests, with a known performance model: at most `capacity` requests are
 * served at once, each taking `serviceMs` (a timer, so the process stays free for the generator in the same
 * process); the rest queue FIFO. So latency is serviceMs up to `capacity` concurrent users and grows past it: a
 * known knee. It also exports a fake /metrics whose CPU counter grows by `cpuPerRequestS` per request.
 */
export interface SyntheticOptions {
  capacity: number;
  serviceMs: number;
  /** Answer status for request number i (0-based); default 200. */
  statusFor?: (i: number) => number;
  cpuPerRequestS?: number;
}

export interface Synthetic {
  url: string;
  served: () => number;
  /** Hold every request until release() (a server-wide stall). */
  stall(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startSynthetic(o: SyntheticOptions): Promise<Synthetic> {
  const app = Fastify({ logger: false });
  let active = 0;
  const queue: (() => void)[] = [];
  let n = 0;
  let served = 0;
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  const acquire = () =>
    new Promise<void>((resolve) => {
      if (active < o.capacity) {
        active++;
        resolve();
      } else queue.push(resolve);
    });
  const releaseSlot = () => {
    const next = queue.shift();
    if (next) next();
    else active--;
  };
  app.get('/v2/health/ready', async () => ({ ready: true }));
  app.get('/v2/models', async () => ({ models: ['synthetic'] }));
  app.get('/v2/models/synthetic', async () => ({
    name: 'synthetic',
    platform: 'test',
    inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }],
  }));
  app.post('/v2/models/synthetic/infer', async (req, reply) => {
    const i = n++;
    if (gate) await gate;
    await acquire();
    await new Promise((r) => setTimeout(r, o.serviceMs));
    releaseSlot();
    served++;
    const status = o.statusFor?.(i) ?? 200;
    reply.code(status);
    if (status !== 200) return { error: 'synthetic' };
    const body = req.body as { inputs: { shape: number[] }[] };
    const rows = body.inputs[0].shape[0];
    return {
      model_name: 'synthetic',
      outputs: [{ name: 'y', datatype: 'FP32', shape: [rows, 1], data: new Array(rows).fill(0) }],
    };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.type('text/plain; version=0.0.4');
    return [
      '# HELP elmscale_process_cpu_seconds_total Total user and system CPU time spent in seconds.',
      '# TYPE elmscale_process_cpu_seconds_total counter',
      `elmscale_process_cpu_seconds_total ${(served * (o.cpuPerRequestS ?? 0.001)).toFixed(6)}`,
      `elmscale_requests_total{model="synthetic",outcome="success"} ${served}`,
      '',
    ].join('\n');
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    served: () => served,
    stall() {
      gate = new Promise((r) => (open = r));
    },
    release() {
      gate = undefined;
      open?.();
    },
    close: () => app.close(),
  };
}
