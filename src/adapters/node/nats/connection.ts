import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  headers as natsHeaders,
  type ConnectionOptions,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
} from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { ElmError } from '../../../core/errors.js';
import type {
  BucketOptions,
  ConnectionEvent,
  ConnectionState,
  Headers,
  IncomingMessage,
  KvBucket,
  MessageHandler,
  MessagingPort,
  ObjectBucket,
  Reply,
  RequestOptions,
  SubscribeOptions,
  Subscription,
} from '../../../cluster/port.js';
import { natsError } from './errors.js';
import { openKv } from './kv.js';
import { openObjects } from './objects.js';
import { redactUrl, resolveTarget, type ClusterTarget, type Env, type ResolvedTarget } from './target.js';

export interface ConnectOptions {
  /** Connection name the servers show (monitoring /connz), e.g. the node id. */
  name?: string;
  /** Where ELMSCALE_NATS_* are read (default process.env). */
  env?: Env;
  /** First-connect timeout, ms (default 5000). */
  connectTimeoutMs?: number;
  /** Keep trying when no server is up at first connect instead of failing with ELM_ERR_CLUSTER_UNAVAILABLE. */
  waitOnFirstConnect?: boolean;
  /** Base wait between reconnect attempts, ms (default 250); a random jitter of up to as much again is added. */
  reconnectWaitMs?: number;
  /** Client pings: interval (default 10 s) and unanswered pings before the connection counts as stale (default 3). */
  pingIntervalMs?: number;
  maxPingOut?: number;
  /** JetStream API timeout, ms (default 5000). */
  jetstreamTimeoutMs?: number;
}

function toNatsHeaders(h: Headers | undefined): MsgHdrs | undefined {
  if (!h) return undefined;
  const out = natsHeaders();
  for (const [k, v] of Object.entries(h)) out.set(k, v);
  return out;
}

function fromNatsHeaders(h: MsgHdrs | undefined): Headers | undefined {
  if (!h) return undefined;
  const out: Record<string, string> = {};
  for (const k of h.keys()) out[k] = h.get(k);
  return out;
}

/** The @nats-io connection options for a resolved target: infinite reconnect with jitter, never give up. */
export function natsConnectionOptions(t: ResolvedTarget, o: ConnectOptions = {}): ConnectionOptions {
  const wait = o.reconnectWaitMs ?? 250;
  const opts: ConnectionOptions = {
    servers: t.servers,
    name: o.name,
    timeout: o.connectTimeoutMs ?? 5000,
    maxReconnectAttempts: -1,
    reconnectTimeWait: wait,
    reconnectJitter: wait,
    reconnectJitterTLS: wait * 4,
    waitOnFirstConnect: o.waitOnFirstConnect ?? false,
    pingInterval: o.pingIntervalMs ?? 10_000,
    maxPingOut: o.maxPingOut ?? 3,
  };
  if (t.token !== undefined) opts.token = t.token;
  if (t.user !== undefined) {
    opts.user = t.user;
    opts.pass = t.pass;
  }
  if (t.credsFile !== undefined) {
    let creds: Uint8Array;
    try {
      creds = readFileSync(t.credsFile);
    } catch (e) {
      throw new ElmError(
        'ELM_ERR_INVALID_ARGUMENT',
        `cannot read the NATS credentials file ${t.credsFile}`,
        undefined,
        e,
      );
    }
    opts.authenticator = credsAuthenticator(creds);
  }
  return opts;
}

/**
 * Connect to a NATS (JetStream) server or cluster and return the messaging port. `target` is a URL (credentials may be
 * in it; see target.ts) or {servers, token, user, pass, credsFile}; ELMSCALE_NATS_TOKEN / _USER / _PASSWORD / _CREDS
 * fill in what neither gives. Fails with ELM_ERR_CLUSTER_UNAVAILABLE (nothing answers) or ELM_ERR_CLUSTER_DENIED.
 */
export async function connectCluster(target: string | ClusterTarget, o: ConnectOptions = {}): Promise<MessagingPort> {
  const t = resolveTarget(target, o.env ?? process.env);
  const description = redactUrl(t.servers.join(','));
  let nc: NatsConnection;
  try {
    nc = await connect(natsConnectionOptions(t, o));
  } catch (e) {
    throw natsError(e, { op: `connect to ${description}`, secrets: t.secrets });
  }
  return new NatsPort(nc, jetstream(nc, { timeout: o.jetstreamTimeoutMs ?? 5000 }), description, t.secrets);
}

class NatsPort implements MessagingPort {
  private listeners = new Set<(e: ConnectionEvent) => void>();
  private current: ConnectionState = 'connected';
  private closing: Promise<void> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    readonly description: string,
    private readonly secrets: string[],
  ) {
    void this.pumpStatus();
    void nc.closed().then(() => {
      this.current = 'closed';
      this.emit({ type: 'closed' });
    });
  }

  get state(): ConnectionState {
    return this.current;
  }

  private emit(e: ConnectionEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  private async pumpStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      switch (s.type) {
        case 'disconnect':
          this.current = 'reconnecting';
          this.emit({ type: 'disconnect', server: redactUrl(s.server) });
          break;
        case 'reconnecting':
          this.current = 'reconnecting';
          this.emit({ type: 'reconnecting' });
          break;
        case 'reconnect':
          this.current = 'connected';
          this.emit({ type: 'reconnect', server: redactUrl(s.server) });
          break;
        case 'error':
          this.emit({ type: 'error', error: natsError(s.error, { op: 'connection', secrets: this.secrets }) });
          break;
        default:
          break;
      }
    }
  }

  onEvent(listener: (e: ConnectionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(subject: string, data: Uint8Array, opts: { headers?: Headers; reply?: string } = {}): void {
    try {
      this.nc.publish(subject, data, { headers: toNatsHeaders(opts.headers), reply: opts.reply });
    } catch (e) {
      throw natsError(e, { op: `publish ${subject}`, secrets: this.secrets });
    }
  }

  async request(subject: string, data: Uint8Array, opts: RequestOptions): Promise<Reply> {
    let m: Msg;
    try {
      m = await this.nc.request(subject, data, { timeout: opts.timeoutMs, headers: toNatsHeaders(opts.headers) });
    } catch (e) {
      throw natsError(e, { op: `request ${subject}`, secrets: this.secrets });
    }
    const headers = fromNatsHeaders(m.headers);
    return headers ? { data: m.data, headers } : { data: m.data };
  }

  subscribe(subject: string, handler: MessageHandler, opts: SubscribeOptions = {}): Subscription {
    const toIncoming = (m: Msg): IncomingMessage => ({
      subject: m.subject,
      data: m.data,
      headers: fromNatsHeaders(m.headers),
      reply: m.reply,
      respond: (d: Uint8Array, h?: Headers) => m.respond(d, { headers: toNatsHeaders(h) }),
    });
    let sub;
    try {
      sub = this.nc.subscribe(subject, {
        queue: opts.queue,
        max: opts.max,
        callback: (err, m) => {
          if (!err) handler(toIncoming(m));
        },
      });
    } catch (e) {
      throw natsError(e, { op: `subscribe ${subject}`, secrets: this.secrets });
    }
    return {
      subject,
      unsubscribe: () => sub.unsubscribe(),
      drain: async () => {
        if (!sub.isClosed()) await sub.drain().catch(() => undefined);
      },
    };
  }

  async flush(): Promise<void> {
    try {
      await this.nc.flush();
    } catch (e) {
      throw natsError(e, { op: 'flush', secrets: this.secrets });
    }
  }

  kv(name: string, opts: BucketOptions = {}): Promise<KvBucket> {
    return openKv(this.js, name, opts, this.secrets);
  }

  objects(name: string, opts: Pick<BucketOptions, 'replicas' | 'storage' | 'maxAgeMs'> = {}): Promise<ObjectBucket> {
    return openObjects(this.js, name, opts, this.secrets);
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        if (this.nc.isClosed()) return;
        // drain needs a server; while reconnecting (or if it stalls) close after a bounded wait instead
        let timer: ReturnType<typeof setTimeout> | undefined;
        const bounded = new Promise<void>((r) => (timer = setTimeout(r, this.current === 'connected' ? 5000 : 0)));
        await Promise.race([this.nc.drain().catch(() => undefined), bounded]);
        clearTimeout(timer);
        if (!this.nc.isClosed()) await this.nc.close().catch(() => undefined);
      })();
    }
    return this.closing;
  }
}
