import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { ElmError } from '../../core/errors.js';
import { startServer, type RunningServer, type ServerOptions } from '../../adapters/node/http/index.js';
import { checkOption, resolveConfig } from '../../serving/config-check.js';
import { SERVER_SCHEMA, type OptionSpec, type ServerConfig } from '../../serving/config.js';
import { joinCluster, type ClusterMember } from '../../adapters/node/cluster/join.js';
import { edgePlugin } from '../../adapters/node/edge/index.js';
import { trainDemoModels } from '../../adapters/node/serving/demo-models.js';
import { selectBackend } from '../../adapters/node/backends.js';
import { STRATEGY_CODECS_MODULE } from '../../adapters/node/workers/strategy-codecs.js';
import { cliContext } from '../context.js';
import { EXIT, num } from '../output.js';
import type { SetExit } from './index.js';

/** CLI-only flags; every server option comes from the schema (src/serving/config.ts). */
interface CliOnlyFlags {
  config?: string;
  demo?: boolean;
}

/** Commander attribute name → schema key, filled as the options are added. */
const schemaKeyOf = new Map<string, keyof ServerConfig>();

function describe(spec: OptionSpec): string {
  const d = spec.default;
  const shown =
    spec.kind === 'boolean' || d === undefined || (Array.isArray(d) && d.length === 0)
      ? ''
      : ` (default: ${Array.isArray(d) ? d.join(',') : String(d)})`;
  const choices = spec.kind === 'choice' ? ` (${spec.choices!.join(' | ')})` : '';
  return `${spec.description}${choices}${shown}${spec.env ? ` [env ${spec.env}]` : ''}`;
}

/** Parse a flag's text into the schema's type; range and choice checks are the schema's (checkOption). */
function parserFor(key: keyof ServerConfig, spec: OptionSpec): ((v: string, prev: unknown) => unknown) | undefined {
  const flag = spec.flag.split(' ')[0]!;
  switch (spec.kind) {
    case 'int':
    case 'number':
      return (v) => checkOption(key, num(flag.slice(2), spec.kind === 'int')(v));
    case 'choice':
    case 'list':
      return (v) => checkOption(key, v);
    case 'files':
      return (v, prev) => [...((prev as unknown[] | undefined) ?? []), { path: v }];
    default:
      return undefined;
  }
}

function addServeOptions(c: Command): Command {
  c.option('--config <file>', 'JSON file with any of these options (camelCase keys); flags override it');
  for (const [key, spec] of Object.entries(SERVER_SCHEMA) as [keyof ServerConfig, OptionSpec][]) {
    const opt = new Option(spec.flag, describe(spec));
    const parse = parserFor(key, spec);
    if (parse) opt.argParser(parse);
    schemaKeyOf.set(opt.attributeName(), key);
    c.addOption(opt);
  }
  return c;
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ElmError('ELM_ERR_DATA_NOT_FOUND', `cannot read config file ${path}`, undefined, e);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `config file ${path} is not JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `config file ${path} must hold a JSON object`);
  }
  return v as Record<string, unknown>;
}

/** Options by precedence: flags given on the command line, then the config file, then env, then defaults. */
async function buildOptions(flags: Record<string, unknown>, cmd: Command): Promise<ServerOptions> {
  const given: Record<string, unknown> = flags.config ? await readConfigFile(String(flags.config)) : {};
  for (const [attr, key] of schemaKeyOf) {
    if (cmd.getOptionValueSource(attr) === 'cli') given[key] = flags[attr];
  }
  const config = resolveConfig(given, process.env);
  return config as ServerOptions;
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

async function run(cmd: Command, demo: boolean, setExit: SetExit): Promise<void> {
  const flags = cmd.opts<CliOnlyFlags & Record<string, unknown>>();
  const o = await buildOptions(flags, cmd);
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
  if (!demo && !o.modelsDir && !o.modelFiles?.length && !o.cluster) {
    process.stderr.write('elmscale: no models given (--model, --models or --config); the server starts empty\n');
  }
  o.plugins = [...(o.plugins ?? []), edgePlugin()]; // /artifacts/{hash}, …/artifact redirects, the demo page at /
  const s = await startServer(o);
  let member: ClusterMember | undefined;
  if (o.cluster) {
    try {
      member = await joinCluster(s.context, {
        cluster: o.cluster,
        nodeId: o.nodeId,
        httpUrl: s.url,
        timeoutMs: o.clusterTimeoutMs,
        replicas: o.clusterReplicas,
        log: (line) => void process.stdout.write(`elmscale: ${line}\n`),
      });
    } catch (e) {
      await s.close();
      throw e;
    }
  }
  for (const k of s.skipped) process.stderr.write(`elmscale: skipped ${k.file}: ${k.code}: ${k.message}\n`);
  printBanner(s, trainMs);
  if (member) {
    process.stdout.write(`  cluster  node ${member.node.id} on ${member.port.description}\n`);
  }
  const stop = (): void => {
    process.stdout.write('elmscale: shutting down\n');
    void (member?.close() ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => s.close())
      .then(() => setExit(EXIT.OK));
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
    .action((_f: CliOnlyFlags, cmd: Command) => run(cmd, _f.demo === true, setExit));
  addServeOptions(
    program
      .command('demo')
      .description(
        'Train demo models on the embedded digits data (well under a second) and serve them on 127.0.0.1:8000',
      ),
  ).action((_f: CliOnlyFlags, cmd: Command) => run(cmd, true, setExit));
}
