import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import { freePorts, LOOPBACK } from './ports.js';
import { ChildProc, registerTempDir, removeTempDir } from './proc.js';
import { httpGet, waitUntil } from './wait.js';

/**
 * Real nats-server processes for tests (never a mock): one JetStream server or a 3-server JetStream cluster, on free
 * loopback ports, each with its store dir inside one temp dir. Servers can be killed (SIGKILL), stopped (SIGSTOP) and
 * continued, and restarted on the same ports and store dir. Readiness is probed on the monitoring port (/healthz,
 * /jsz), never slept for. `close()` removes the temp dir; a process-exit hook does both if a test never got there.
 */

export const NATS_SERVER = process.env.NATS_SERVER_PATH ?? '/usr/sbin/nats-server';
export const haveNatsServer = existsSync(NATS_SERVER);
/** For `it(..., { skip: skipNoNats })`: a reason when nats-server is missing. */
export const skipNoNats = haveNatsServer ? false : `nats-server not found at ${NATS_SERVER} (.ci/run installs it)`;

export interface NatsAuth {
  token?: string;
  user?: string;
  pass?: string;
}

export interface ServerPorts {
  client: number;
  monitor: number;
  cluster?: number;
}

export class NatsServer {
  proc: ChildProc;
  readonly name: string;
  readonly ports: ServerPorts;
  readonly storeDir: string;
  private readonly args: string[];
  private starts = 0;

  constructor(name: string, ports: ServerPorts, storeDir: string, args: string[]) {
    this.name = name;
    this.ports = ports;
    this.storeDir = storeDir;
    this.args = args;
    this.proc = this.spawn();
  }

  private spawn(): ChildProc {
    this.starts++;
    return new ChildProc(NATS_SERVER, this.args, { name: `nats-server ${this.name}#${this.starts}` });
  }

  /** nats://127.0.0.1:PORT (no credentials). */
  get url(): string {
    return `nats://${LOOPBACK}:${this.ports.client}`;
  }
  get monitorUrl(): string {
    return `http://${LOOPBACK}:${this.ports.monitor}`;
  }
  get alive(): boolean {
    return this.proc.alive;
  }

  /** Wait until /healthz answers 200 (JetStream enabled and current on this server). */
  async ready(timeoutMs = 20_000): Promise<void> {
    await waitUntil(
      `${this.name} /healthz`,
      async () => {
        if (!this.proc.alive) throw new Error(this.proc.describe('exited while starting'));
        const r = await httpGet(`${this.monitorUrl}/healthz`, 500);
        return r?.status === 200;
      },
      { timeoutMs },
    ).catch((e: Error) => {
      throw new Error(e.message.includes('output tail') ? e.message : this.proc.describe(e.message));
    });
  }

  /** The monitoring endpoint's JSON (e.g. 'varz', 'jsz'), or undefined when it does not answer (down or stopped). */
  async monitor<T = Record<string, unknown>>(path: string, timeoutMs = 500): Promise<T | undefined> {
    const r = await httpGet(`${this.monitorUrl}/${path}`, timeoutMs);
    return r?.status === 200 ? (JSON.parse(r.body) as T) : undefined;
  }

  /** True when the monitoring port answers within `timeoutMs` (a SIGSTOPped server does not). */
  async responsive(timeoutMs = 300): Promise<boolean> {
    return (await httpGet(`${this.monitorUrl}/varz`, timeoutMs)) !== undefined;
  }

  async kill(): Promise<void> {
    await this.proc.kill();
  }
  stop(): void {
    this.proc.stop();
  }
  cont(): void {
    this.proc.cont();
  }

  /** Start again (after kill or close) on the same ports and store dir; waits for /healthz unless told not to. */
  async restart(opts: { wait?: boolean } = {}): Promise<void> {
    if (this.proc.alive) await this.proc.kill();
    this.proc = this.spawn();
    if (opts.wait !== false) await this.ready();
  }

  async close(): Promise<void> {
    await this.proc.kill();
  }
}

function serverArgs(name: string, p: ServerPorts, storeDir: string, auth: NatsAuth | undefined): string[] {
  const a = ['-a', LOOPBACK, '-p', String(p.client), '-m', String(p.monitor), '-n', name, '-js', '-sd', storeDir];
  if (auth?.token) a.push('--auth', auth.token);
  if (auth?.user) a.push('--user', auth.user, '--pass', auth.pass ?? '');
  return a;
}

function tempRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'elmscale-nats-'));
  registerTempDir(dir);
  return dir;
}

/** A startup that lost a port race shows "address already in use": try again with new ports. */
async function withPortRetry<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (e) {
      if (i >= attempts || !/address already in use/i.test(String((e as Error).message))) throw e;
    }
  }
}

export interface SingleNats {
  server: NatsServer;
  url: string;
  dir: string;
  close(): Promise<void>;
}

/** One nats-server with JetStream on free loopback ports, store dir in a fresh temp dir. */
export async function startNats(o: { auth?: NatsAuth } = {}): Promise<SingleNats> {
  if (!haveNatsServer) throw new Error(String(skipNoNats));
  return withPortRetry(async () => {
    const dir = tempRoot();
    const [client, monitor] = await freePorts(2);
    const storeDir = join(dir, 'n1');
    mkdirSync(storeDir);
    const server = new NatsServer(
      'n1',
      { client, monitor },
      storeDir,
      serverArgs('n1', { client, monitor }, storeDir, o.auth),
    );
    const close = async () => {
      await server.close();
      removeTempDir(dir);
    };
    try {
      await server.ready();
    } catch (e) {
      await close();
      throw e;
    }
    return { server, url: server.url, dir, close };
  });
}

export interface NatsCluster {
  servers: NatsServer[];
  /** Comma-free list of client URLs (for `servers:` options). */
  urls: string[];
  dir: string;
  clusterName: string;
  /** The current JetStream meta leader's server name, asked of any responsive live server. */
  metaLeader(): Promise<string | undefined>;
  /** Wait until a JetStream meta leader is elected and a R(replicas) memory stream can be created and removed. */
  waitJetStream(replicas?: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface Jsz {
  meta_cluster?: { leader?: string; cluster_size?: number };
}

/** A JetStream cluster of `size` (default 3) servers on loopback: named n1..nN, routes on free ports. */
export async function startNatsCluster(
  o: { size?: number; auth?: NatsAuth; clusterName?: string } = {},
): Promise<NatsCluster> {
  if (!haveNatsServer) throw new Error(String(skipNoNats));
  const size = o.size ?? 3;
  const clusterName = o.clusterName ?? 'elmscale-test';
  return withPortRetry(async () => {
    const dir = tempRoot();
    const ports = await freePorts(size * 3);
    const sp: ServerPorts[] = [];
    for (let i = 0; i < size; i++)
      sp.push({ client: ports[3 * i], monitor: ports[3 * i + 1], cluster: ports[3 * i + 2] });
    const routes = sp.map((p) => `nats://${LOOPBACK}:${p.cluster}`).join(',');
    const servers = sp.map((p, i) => {
      const name = `n${i + 1}`;
      const storeDir = join(dir, name);
      mkdirSync(storeDir);
      const args = [
        ...serverArgs(name, p, storeDir, o.auth),
        '--cluster_name',
        clusterName,
        '--cluster',
        `nats://${LOOPBACK}:${p.cluster}`,
        '--routes',
        routes,
      ];
      return new NatsServer(name, p, storeDir, args);
    });
    const cluster: NatsCluster = {
      servers,
      urls: servers.map((s) => s.url),
      dir,
      clusterName,
      async metaLeader() {
        for (const s of servers) {
          if (!s.alive || s.proc.isStopped) continue;
          const j = await s.monitor<Jsz>('jsz');
          if (j?.meta_cluster?.leader) return j.meta_cluster.leader;
        }
        return undefined;
      },
      async waitJetStream(replicas = size, timeoutMs = 30_000) {
        await waitUntil('a JetStream meta leader', () => cluster.metaLeader(), { timeoutMs });
        const liveUrls = servers.filter((s) => s.alive && !s.proc.isStopped).map((s) => s.url);
        const nc = await connect({ servers: liveUrls, ...natsAuthOptions(o.auth) });
        try {
          const jsm = await jetstreamManager(nc);
          const name = `HARNESS_PROBE_${process.pid}_${Date.now()}`;
          await waitUntil(
            `a R${replicas} stream to be created`,
            async () => {
              await jsm.streams.add({
                name,
                subjects: [`_harness.${name}`],
                num_replicas: replicas,
                storage: StorageType.Memory,
              });
              return true;
            },
            { timeoutMs, intervalMs: 100 },
          );
          await jsm.streams.delete(name).catch(() => undefined);
        } finally {
          await nc.close();
        }
      },
      async close() {
        await Promise.all(servers.map((s) => s.close()));
        removeTempDir(dir);
      },
    };
    try {
      await Promise.all(servers.map((s) => s.ready()));
      await cluster.waitJetStream(Math.min(3, size));
    } catch (e) {
      await cluster.close();
      throw e;
    }
    return cluster;
  });
}

/** Connection options for the raw client in tests. */
export function natsAuthOptions(auth: NatsAuth | undefined): { token?: string; user?: string; pass?: string } {
  if (!auth) return {};
  return auth.token ? { token: auth.token } : { user: auth.user, pass: auth.pass };
}

/** A raw @nats-io connection for harness-level tests (the product code goes through src/adapters/node/nats/). */
export function rawConnect(servers: string | string[], auth?: NatsAuth): Promise<NatsConnection> {
  return connect({ servers, ...natsAuthOptions(auth) });
}
