import type { Command } from 'commander';
import { connectCluster } from '../../adapters/node/nats/index.js';
import type { MessagingPort } from '../../cluster/port.js';
import { Presence } from '../../cluster/presence.js';
import { ClusterRegistry } from '../../cluster/registry.js';
import type { ModelRecord, NodeRecord } from '../../cluster/records.js';
import { ElmError } from '../../core/errors.js';
import { cliContext, readModel } from '../context.js';
import { EXIT, num, printJson } from '../output.js';
import type { SetExit } from './index.js';

interface ClusterFlags {
  cluster?: string;
  json?: boolean;
}

/** The cluster URL from --cluster or ELMSCALE_CLUSTER (never printed with its credentials). */
function clusterUrl(f: ClusterFlags): string {
  const url = f.cluster ?? process.env.ELMSCALE_CLUSTER;
  if (!url)
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', 'give the cluster with --cluster <nats-url> (or ELMSCALE_CLUSTER)');
  return url;
}

async function withCluster<T>(f: ClusterFlags, fn: (port: MessagingPort) => Promise<T>): Promise<T> {
  const port = await connectCluster(clusterUrl(f), { name: 'elmscale-cli' });
  try {
    return await fn(port);
  } finally {
    await port.close();
  }
}

const clusterOption = (c: Command): Command =>
  c
    .option('--cluster <url>', 'NATS server URL(s) of the cluster [env ELMSCALE_CLUSTER]')
    .option('--json', 'print one JSON object instead of text');

function registerDeploy(program: Command, setExit: SetExit): void {
  clusterOption(
    program
      .command('deploy')
      .description('Store an .elm artifact in the cluster and make it the current version of a model (or a canary)')
      .argument('<file>', '.elm artifact')
      .requiredOption('--name <model>', 'model name')
      .option('--version <v>', 'version name (default: the current version + 1)')
      .option(
        '--canary <share>',
        'deploy beside the current version, taking this share (0..1) of requests',
        num('canary'),
      )
      .option(
        '--replicas <n>',
        'copies of the registry and artifacts when they are created (3 with a 3-server JetStream cluster)',
        num('replicas', true),
      ),
  ).action(
    async (file: string, f: ClusterFlags & { name: string; version?: string; canary?: number; replicas?: number }) => {
      const ctx = await cliContext();
      const loaded = await readModel(ctx, file); // refuse what no node could load
      loaded.model.dispose();
      const { readFile } = await import('node:fs/promises');
      const bytes = new Uint8Array(await readFile(file));
      const r = await withCluster(f, async (port) => {
        const registry = await ClusterRegistry.open(port, f.replicas ? { replicas: f.replicas } : {});
        return registry.deploy({
          name: f.name,
          bytes,
          ...(f.version !== undefined ? { version: f.version } : {}),
          ...(f.canary !== undefined ? { canaryShare: f.canary } : {}),
        });
      });
      if (f.json) printJson({ ...r.record, revision: r.revision, uploaded: r.uploaded });
      else {
        const what = r.record.canary
          ? `canary version ${r.record.canary.version} (${(r.record.canary.share * 100).toFixed(0)} % of requests) beside version ${r.record.version}`
          : `version ${r.record.version}`;
        process.stdout.write(
          `deployed "${f.name}" ${what}; artifact ${(r.record.canary?.artifact ?? r.record.artifact).slice(0, 12)}…${r.uploaded ? ' uploaded' : ' already stored'}\n`,
        );
      }
      setExit(EXIT.OK);
    },
  );
}

interface Status {
  nodes: NodeRecord[];
  models: (ModelRecord & { replicas: number; holders: string[] })[];
}

async function status(port: MessagingPort): Promise<Status> {
  const [registry, presence] = await Promise.all([ClusterRegistry.open(port), Presence.open(port)]);
  try {
    const nodes = presence.live().sort((a, b) => (a.id < b.id ? -1 : 1));
    const models = (await registry.list()).map((m) => {
      const holders = presence.holders(m.name, m.version).map((n) => n.id);
      return { ...m, replicas: holders.length, holders };
    });
    return { nodes, models };
  } finally {
    presence.close();
  }
}

function printStatus(s: Status, description: string): void {
  const lines = [
    `cluster ${description}: ${s.nodes.length} node(s), ${s.models.length} deployed model(s)`,
    '',
    'nodes',
  ];
  if (s.nodes.length === 0) lines.push('  (none)');
  for (const n of s.nodes) {
    const models = Object.entries(n.models).map(([m, vs]) => `${m}@${vs.join(',')}`);
    lines.push(
      `  ${n.id.padEnd(24)} ${String(n.inflight).padStart(5)} in flight   ${n.http ?? '(no http)'}   ${models.join(' ') || '(no models)'}`,
    );
  }
  lines.push('', 'models');
  if (s.models.length === 0) lines.push('  (none)');
  for (const m of s.models) {
    const canary = m.canary ? `  canary ${m.canary.version} ${(m.canary.share * 100).toFixed(0)} %` : '';
    lines.push(
      `  ${m.name.padEnd(24)} version ${m.version.padEnd(6)} ${m.artifact.slice(0, 12)}…  replicas ${m.replicas}${canary}`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}

function registerClusterCommands(program: Command, setExit: SetExit): void {
  const cluster = program.command('cluster').description('Inspect and steer a cluster of elmscale nodes on NATS');
  clusterOption(
    cluster.command('status').description('Nodes (load, models held) and deployed models (versions, replicas)'),
  ).action(async (f: ClusterFlags) => {
    await withCluster(f, async (port) => {
      const s = await status(port);
      if (f.json) printJson(s);
      else printStatus(s, port.description);
    });
    setExit(EXIT.OK);
  });
  for (const [verb, promote, what] of [
    ['promote', true, "Make a model's canary its current version"],
    ['rollback', false, "Drop a model's canary (its current version takes all requests again)"],
  ] as const) {
    clusterOption(cluster.command(verb).description(what).argument('<model>')).action(
      async (name: string, f: ClusterFlags) => {
        const r = await withCluster(f, async (port) => (await ClusterRegistry.open(port)).settleCanary(name, promote));
        if (f.json) printJson(r);
        else process.stdout.write(`"${name}" now serves version ${r.version} only\n`);
        setExit(EXIT.OK);
      },
    );
  }
  clusterOption(
    cluster
      .command('remove')
      .description('Remove a model from the registry (every node unloads it)')
      .argument('<model>'),
  ).action(async (name: string, f: ClusterFlags) => {
    await withCluster(f, async (port) => (await ClusterRegistry.open(port)).remove(name));
    if (f.json) printJson({ removed: name });
    else process.stdout.write(`removed "${name}"\n`);
    setExit(EXIT.OK);
  });
}

export function registerCluster(program: Command, setExit: SetExit): void {
  registerDeploy(program, setExit);
  registerClusterCommands(program, setExit);
}
