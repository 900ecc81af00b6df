import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ElmError } from '../../core/errors.js';
import { startServer, type RunningServer, type ServerOptions } from '../../adapters/node/http/index.js';
import { edgePlugin } from '../../adapters/node/edge/index.js';
import { trainDemoModels } from '../../adapters/node/serving/demo-models.js';
import { selectBackend } from '../../adapters/node/backends.js';
import { STRATEGY_CODECS_MODULE } from '../../adapters/node/workers/strategy-codecs.js';
import { cliContext } from '../context.js';
import { EXIT, num } from '../output.js';
import type { SetExit } from './index.js';

interface ServeFlags {
  config?: string;
  host?: string;
  port?: number;
  model?: string[];
  models?: string;
  workers?: number;
  balancer?: string;
  maxBatchRows?: number;
  maxQueueDelayUs?: number;
  adaptiveBatching?: boolean;
  maxQueueRows?: number;
  maxInflight?: number;
  bodyLimit?: number;
  maxRowsPerRequest?: number;
  nonFinite?: string;
  cache?: boolean;
  cacheBytes?: number;
  cacheEntries?: number;
  cacheTtlMs?: number;
  cacheReplyBytes?: number;
  token?: string;
  pricePerCoreHour?: number;
  backend?: string;
  demo?: boolean;
  log?: boolean;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function addServeOptions(c: Command): Command {
  return c
    .option('--config <file>', 'JSON file with any of these options (camelCase keys); flags override it')
    .option('--host <host>', 'interface to listen on (non-loopback needs --token)', '127.0.0.1')
    .option('--port <n>', 'port (0 = a free one)', num('port', true), 8000)
    .option('--model <file>', 'serve an .elm artifact (repeatable; name = file name)', collect)
    .option('--models <dir>', 'model directory: <name>.elm or <name>/<version>/*.elm; the only place path loads read')
    .option('--workers <n>', 'inference worker threads (0 = inline on the event loop)', num('workers', true))
    .option('--balancer <name>', 'least-outstanding | round-robin | power-of-two')
    .option('--max-batch-rows <n>', 'dynamic batching: largest batch in rows (1 = off)', num('max-batch-rows', true))
    .option(
      '--max-queue-delay-us <n>',
      'dynamic batching: longest wait for a fuller batch, µs',
      num('max-queue-delay-us'),
    )
    .option(
      '--no-adaptive-batching',
      'always batch up to --max-batch-rows (default: cap at the cheapest size measured)',
    )
    .option('--max-queue-rows <n>', 'rows waiting per model version before 503', num('max-queue-rows', true))
    .option('--max-inflight <n>', 'concurrent inference requests before 503', num('max-inflight', true))
    .option('--body-limit <bytes>', 'largest request body', num('body-limit', true))
    .option('--max-rows-per-request <n>', 'largest batch one request may carry', num('max-rows-per-request', true))
    .option('--non-finite <policy>', 'NaN/Infinity in inputs: reject | allow')
    .option('--no-cache', 'disable the response cache')
    .option('--cache-bytes <n>', 'response cache byte budget', num('cache-bytes', true))
    .option('--cache-entries <n>', 'response cache entry limit', num('cache-entries', true))
    .option('--cache-ttl-ms <n>', 'response cache time to live, ms', num('cache-ttl-ms'))
    .option(
      '--cache-reply-bytes <n>',
      'byte budget of the reply level (exact request bytes → reply; default = --cache-bytes, 0 = off)',
      num('cache-reply-bytes', true),
    )
    .option('--token <token>', 'bearer token for repository/admin endpoints (or ELMSCALE_TOKEN)')
    .option(
      '--price-per-core-hour <x>',
      'price of one core-hour, for the cost-per-query metrics',
      num('price-per-core-hour'),
    )
    .option('--backend <name>', 'numeric backend for inference (wasm | js)')
    .option('--log', 'log every request (fastify/pino) to stdout');
}

async function buildOptions(f: ServeFlags): Promise<ServerOptions> {
  let o: ServerOptions = {};
  if (f.config) {
    let text: string;
    try {
      text = await readFile(f.config, 'utf8');
    } catch (e) {
      throw new ElmError('ELM_ERR_DATA_NOT_FOUND', `cannot read config file ${f.config}`, undefined, e);
    }
    try {
      o = JSON.parse(text) as ServerOptions;
    } catch (e) {
      throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `config file ${f.config} is not JSON: ${(e as Error).message}`);
    }
  }
  const set = <K extends keyof ServerOptions>(k: K, v: ServerOptions[K] | undefined): void => {
    if (v !== undefined) o[k] = v;
  };
  set('host', f.host);
  set('port', f.port);
  set('modelsDir', f.models);
  if (f.model) o.modelFiles = [...(o.modelFiles ?? []), ...f.model.map((path) => ({ path }))];
  set('workers', f.workers);
  set('balancer', f.balancer as ServerOptions['balancer']);
  set('maxBatchRows', f.maxBatchRows);
  set('maxQueueDelayUs', f.maxQueueDelayUs);
  if (f.adaptiveBatching === false) o.adaptiveBatching = false;
  set('maxQueueRows', f.maxQueueRows);
  set('maxInflight', f.maxInflight);
  set('bodyLimit', f.bodyLimit);
  set('maxRowsPerRequest', f.maxRowsPerRequest);
  set('nonFinite', f.nonFinite as ServerOptions['nonFinite']);
  set('token', f.token ?? process.env.ELMSCALE_TOKEN);
  set('pricePerCoreHour', f.pricePerCoreHour);
  set('backend', f.backend);
  set('logger', f.log);
  if (f.cache === false) o.cache = false;
  else if (
    f.cacheBytes !== undefined ||
    f.cacheEntries !== undefined ||
    f.cacheTtlMs !== undefined ||
    f.cacheReplyBytes !== undefined
  ) {
    const base = o.cache === false || o.cache === undefined ? { maxBytes: 64 << 20 } : o.cache;
    o.cache = {
      ...base,
      ...(f.cacheBytes !== undefined ? { maxBytes: f.cacheBytes } : {}),
      ...(f.cacheEntries !== undefined ? { maxEntries: f.cacheEntries } : {}),
      ...(f.cacheTtlMs !== undefined ? { ttlMs: f.cacheTtlMs } : {}),
      ...(f.cacheReplyBytes !== undefined ? { replyMaxBytes: f.cacheReplyBytes } : {}),
    };
  }
  return o;
}

function printBanner(s: RunningServer, trainMs?: number): void {
  const lines = [
    `elmscale serving ${s.registry.names().length} model(s) on ${s.url} (${s.executor.name}${s.executor.name === 'workers' ? ` ×${s.executor.concurrency}` : ''})`,
  ];
  if (trainMs !== undefined)
    lines.push(`  demo models trained in ${trainMs.toFixed(0)} ms on the embedded digits data`);
  for (const n of s.registry.names()) lines.push(`  model    ${s.url}/v2/models/${n}   (POST .../infer)`);
  lines.push(`  health   ${s.url}/v2/health/ready`, `  metrics  ${s.url}/metrics`, `  server   ${s.url}/v2`);
  lines.push(`  page     ${s.url}/   (the same model in your browser: docs/edge.md)`);
  const first = s.registry.names()[0];
  if (first) {
    const d = s.service.resolve(first).model.inputDim;
    lines.push(
      `  try      curl -s -X POST ${s.url}/v2/models/${first}/infer -H 'content-type: application/json' \\`,
      `             -d '{"inputs":[{"name":"input","shape":[1,${d}],"datatype":"FP32","data":[${Array(d).fill(0).join(',')}]}]}'`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}

async function run(f: ServeFlags, demo: boolean, setExit: SetExit): Promise<void> {
  const o = await buildOptions(f);
  const ctx = await cliContext();
  o.codecs = ctx.codecs;
  // Workers must decode what the CLI's codecs decode: routers, mixtures and int8 ELMs.
  o.workerCodecsModule ??= STRATEGY_CODECS_MODULE;
  let trainMs: number | undefined;
  if (demo) {
    const t0 = performance.now();
    const backend = await selectBackend({
      name: typeof o.backend === 'string' ? o.backend : undefined,
      purpose: 'serving',
    });
    o.models = [...(o.models ?? []), ...(await trainDemoModels(backend))];
    trainMs = performance.now() - t0;
  }
  if (!demo && !o.modelsDir && !o.modelFiles?.length) {
    process.stderr.write('elmscale: no models given (--model, --models or --config); the server starts empty\n');
  }
  o.plugins = [...(o.plugins ?? []), edgePlugin()]; // /artifacts/{hash}, …/artifact redirects, the demo page at /
  const s = await startServer(o);
  printBanner(s, trainMs);
  const stop = (): void => {
    process.stdout.write('elmscale: shutting down\n');
    void s.close().then(() => setExit(EXIT.OK));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  setExit(EXIT.OK);
}

export function registerServe(program: Command, setExit: SetExit): void {
  addServeOptions(
    program
      .command('serve')
      .description('Serve .elm models over the Open Inference Protocol v2 (REST) with batching, caching and metrics'),
  )
    .option('--demo', 'also train and serve the demo digits models')
    .action((f: ServeFlags) => run(f, f.demo === true, setExit));
  addServeOptions(
    program
      .command('demo')
      .description(
        'Train demo models on the embedded digits data (well under a second) and serve them on 127.0.0.1:8000',
      ),
  ).action((f: ServeFlags) => run(f, true, setExit));
}
