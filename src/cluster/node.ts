import type { InferCall, InferFront, InferPipeline } from '../serving/pipeline.js';
import type { InferenceService } from '../serving/service.js';
import { HOLDERS_QUEUE, inferSubject, isNodeId, nodeInferWildcard, tokenModel } from './names.js';
import type { IncomingMessage, KvBucket, MessagingPort, Subscription } from './port.js';
import type { Follower } from './watch.js';
import { BEAT_MS, openNodesBucket, type Presence } from './presence.js';
import { ClusterRegistry } from './registry.js';
import { encodeRecord, type ModelRecord, type NodeRecord } from './records.js';
import { callFromMessage, replyOf } from './wire.js';
import { ElmError } from '../core/errors.js';

export interface ClusterNodeOptions {
  port: MessagingPort;
  nodeId: string;
  service: InferenceService;
  /** The local pipeline: what NATS requests run through (never forwarded again). */
  pipeline: InferPipeline;
  /** Decode artifact bytes and load them into the service as name/version (the host owns the codecs). */
  loadArtifact(name: string, bytes: Uint8Array, o: { version: string; makeDefault: boolean }): Promise<unknown>;
  /** The node's HTTP front, announced to the cluster. */
  httpUrl?: string;
  beatMs?: number;
  /** Copies of the cluster's buckets when this node creates them (3 in a 3-server JetStream cluster). */
  replicas?: number;
  /** Largest random delay before replacing a model this node already serves, ms (default 1000). */
  replaceJitterMs?: number;
  /** Canary split (tests pass a seeded one). */
  random?: () => number;
  /** Report what happens (loads, failures) — the CLI prints it; never credentials. */
  log?: (line: string) => void;
}

/**
 * A serving process as a cluster member: it follows the registry (loading, hot-replacing and unloading what the
 * registry says, artifacts verified against their hash), answers inference over NATS for the models it holds
 * (a queue-group subject per model plus one direct subject), and beats in the presence bucket.
 */
export class ClusterNode {
  private readonly subs = new Map<string, Subscription>();
  private direct?: Subscription;
  private watch?: Follower;
  private beat?: ReturnType<typeof setInterval>;
  private nodes?: KvBucket;
  private registry?: ClusterRegistry;
  /** Registry-managed models: name → the record applied (or being applied). */
  private readonly managed = new Map<string, ModelRecord>();
  private readonly chains = new Map<string, Promise<void>>();
  /** The latest record seen per model (null = removed): older pending applies and retries are skipped. */
  private readonly latest = new Map<string, ModelRecord | null>();
  private readonly startedMs = Date.now();
  private closed = false;
  /** Set once start() is done: the first registry sync loads without delay. */
  private startedServing = false;

  constructor(private readonly o: ClusterNodeOptions) {
    if (!isNodeId(o.nodeId)) {
      throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `node id "${o.nodeId}" must be 1-64 of [A-Za-z0-9_-]`);
    }
  }

  get id(): string {
    return this.o.nodeId;
  }

  /** Join: follow the registry (the current records are applied before this resolves), serve, beat. */
  async start(): Promise<void> {
    const { port } = this.o;
    this.nodes = await openNodesBucket(port, this.o.beatMs ?? BEAT_MS, this.o.replicas ?? 1);
    this.registry = await ClusterRegistry.open(port, { replicas: this.o.replicas ?? 1 });
    this.direct = port.subscribe(nodeInferWildcard(this.o.nodeId), (m) => this.answer(m, 'direct'));
    this.watch = this.registry.follow(
      port,
      (name, record) => this.follow(name, record),
      () => this.managed.keys(),
    );
    await this.watch.ready;
    await Promise.all([...this.chains.values()]);
    this.syncSubscriptions();
    this.startedServing = true;
    await this.heartbeat();
    this.beat = setInterval(() => void this.heartbeat().catch(() => undefined), this.o.beatMs ?? BEAT_MS);
    (this.beat as { unref?: () => void }).unref?.();
    // Reconnected to a restarted server: our heartbeat key may be gone; subscriptions are re-sent by the client.
    port.onEvent((e) => {
      if (e.type === 'reconnect') void this.heartbeat().catch(() => undefined);
    });
  }

  /** Apply a registry change to this model, one change at a time per model, in arrival order. */
  private follow(name: string, record: ModelRecord | null, attempt = 1): void {
    this.latest.set(name, record);
    const prev = this.chains.get(name) ?? Promise.resolve();
    const next = prev
      .then(() => (this.latest.get(name) === record ? this.apply(name, record) : undefined))
      .catch((e: unknown) => {
        // A transient failure (an artifact fetch during a JetStream election, say) is retried with backoff for as
        // long as this record is still the latest one; a newer record supersedes it.
        const waitMs = Math.min(10_000, 250 * 2 ** Math.min(attempt, 6));
        this.o.log?.(
          `cluster: cannot apply "${name}" (attempt ${attempt}, retrying in ${waitMs} ms): ${(e as Error).message}`,
        );
        const t = setTimeout(() => {
          if (!this.closed && this.latest.get(name) === record) this.follow(name, record, attempt + 1);
        }, waitMs);
        (t as { unref?: () => void }).unref?.();
      });
    this.chains.set(name, next);
  }

  private async apply(name: string, record: ModelRecord | null): Promise<void> {
    if (this.closed) return;
    const { service } = this.o;
    const before = this.managed.get(name);
    if (!record) {
      if (before) {
        this.managed.delete(name);
        this.unsubscribe(name);
        await service.unload(name);
        this.o.log?.(`cluster: unloaded "${name}" (removed from the registry)`);
      }
      return;
    }
    const wanted: [string, string][] = [[record.version, record.artifact]];
    if (record.canary) wanted.push([record.canary.version, record.canary.artifact]);
    for (const [version, sha] of wanted) {
      const loaded = service.registry.has(name, version) ? service.resolve(name, version).contentHash : undefined;
      if (loaded === sha) continue;
      // A replacement while this node still serves the model waits a random while first, so the holders do not all
      // block their event loops on the load at the same moment (a client's retry then finds a node that answers).
      if (service.registry.has(name) && this.startedServing)
        await jitter(this.o.replaceJitterMs ?? 1000, this.o.random);
      if (this.latest.get(name) !== record || this.closed) return;
      const bytes = await this.registry!.artifact(sha);
      await this.o.loadArtifact(name, bytes, { version, makeDefault: version === record.version });
      this.o.log?.(`cluster: loaded "${name}" version ${version} (${sha.slice(0, 12)}…)`);
    }
    // The stable version is the default; versions the registry no longer names are retired after the swap, so
    // requests in flight on them finish first (the service drains a retired version's queue).
    service.registry.setDefault(name, record.version);
    this.managed.set(name, record);
    const keep = new Set(wanted.map(([v]) => v));
    for (const v of service.registry.versions(name)) if (!keep.has(v)) await service.unload(name, v);
    this.syncSubscriptions();
  }

  /** Subscribe to every model held here, unsubscribe from the ones gone. */
  syncSubscriptions(): void {
    if (this.closed) return;
    const names = new Set(this.o.service.registry.names());
    for (const n of names) {
      if (!this.subs.has(n)) {
        this.subs.set(
          n,
          this.o.port.subscribe(inferSubject(n), (m) => this.answer(m, n), { queue: HOLDERS_QUEUE }),
        );
      }
    }
    for (const n of [...this.subs.keys()]) if (!names.has(n)) this.unsubscribe(n);
  }

  private unsubscribe(name: string): void {
    this.subs.get(name)?.unsubscribe();
    this.subs.delete(name);
  }

  /**
   * This node's own inference, canary split applied: a request that names no version goes to the canary version
   * with the registry's share. NATS requests and local HTTP answers both run through it.
   */
  readonly local: InferFront = {
    infer: (call) => {
      const canary = call.version === undefined ? this.managed.get(call.model)?.canary : undefined;
      if (
        canary &&
        (this.o.random ?? Math.random)() < canary.share &&
        this.o.service.registry.has(call.model, canary.version)
      ) {
        return this.o.pipeline.infer({ ...call, version: canary.version });
      }
      return this.o.pipeline.infer(call);
    },
  };

  private answer(msg: IncomingMessage, model: string): void {
    const fallback = model === 'direct' ? tokenModel(msg.subject.split('.').pop() ?? '') : model;
    const call = callFromMessage(msg, fallback);
    void this.local.infer(call).then((a) => {
      const r = replyOf(a, this.o.nodeId);
      try {
        msg.respond(r.data, r.headers);
      } catch {
        // The connection closed while this request ran: the client times out and retries elsewhere. Throwing here
        // would be an unhandled rejection, which ends the node.
      }
    });
  }

  record(): NodeRecord {
    const { service } = this.o;
    const models: Record<string, string[]> = {};
    for (const n of service.registry.names()) {
      const def = service.resolve(n).version;
      models[n] = [def, ...service.registry.versions(n).filter((v) => v !== def)];
    }
    return {
      id: this.o.nodeId,
      ...(this.o.httpUrl ? { http: this.o.httpUrl } : {}),
      models,
      inflight: this.o.pipeline.o.admission.inflight,
      maxInflight: this.o.pipeline.o.admission.limit,
      startedMs: this.startedMs,
      beatMs: Date.now(),
    };
  }

  private async heartbeat(): Promise<void> {
    if (this.closed || !this.nodes) return;
    this.syncSubscriptions(); // models loaded or unloaded through the HTTP repository API
    const value = encodeRecord(this.record());
    try {
      await this.nodes.put(this.o.nodeId, value);
    } catch {
      // The presence bucket is in memory: a restarted server has lost it. Open (re-create) it and beat again.
      this.nodes = await openNodesBucket(this.o.port, this.o.beatMs ?? BEAT_MS, this.o.replicas ?? 1);
      await this.nodes.put(this.o.nodeId, value);
    }
  }

  /** Leave: stop beating and delete our presence, stop following, drain what is in flight. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.beat) clearInterval(this.beat);
    this.watch?.stop();
    await this.nodes?.delete(this.o.nodeId).catch(() => undefined);
    await Promise.all(
      [...this.subs.values(), ...(this.direct ? [this.direct] : [])].map((s) => s.drain().catch(() => undefined)),
    );
    this.subs.clear();
  }
}

/** Where a front sent a request: answered by this node, or forwarded over NATS. */
export type FrontPath = 'local' | 'forwarded';

/**
 * The HTTP front of a cluster node: answer locally when this node holds the model and has admission capacity,
 * else forward over NATS to a holder. Forwarded requests run on the holder's local pipeline, never forwarded again.
 * `onRoute` is told each decision (the exporter counts them: elmscale_cluster_requests_total{path}).
 */
export function forwardingFront(
  node: ClusterNode,
  pipeline: InferPipeline,
  forward: InferFront,
  presence?: Presence,
  onRoute?: (path: FrontPath) => void,
): InferFront {
  const { service, admission } = pipeline.o;
  const local = (call: InferCall) => {
    onRoute?.('local');
    return node.local.infer(call);
  };
  return {
    infer(call) {
      const held = service.registry.has(call.model, call.version);
      if (held && admission.inflight < admission.limit) return local(call);
      // Nobody else holds it either: the local answer (404 for an unknown model, 503 when overloaded) is the truth.
      if (presence && presence.holders(call.model, call.version).every((n) => n.id === node.id)) {
        return local(call);
      }
      onRoute?.('forwarded');
      return forward.infer(call);
    },
  };
}

function jitter(maxMs: number, random: (() => number) | undefined): Promise<void> {
  const ms = Math.floor((random ?? Math.random)() * maxMs);
  return ms <= 0 ? Promise.resolve() : new Promise((r) => setTimeout(r, ms));
}
