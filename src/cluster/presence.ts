import { BUCKET } from './names.js';
import type { KvBucket, MessagingPort } from './port.js';
import { followBucket, type Follower } from './watch.js';
import { decodeNodeRecord, type NodeRecord } from './records.js';

/** Heartbeat period and how many missed beats make a node stale (the bucket's max age is the same). */
export const BEAT_MS = 500;
export const STALE_BEATS = 3;

export function openNodesBucket(port: MessagingPort, beatMs = BEAT_MS, replicas = 1): Promise<KvBucket> {
  return port.kv(BUCKET.nodes, { maxAgeMs: beatMs * STALE_BEATS, storage: 'memory', replicas });
}

/**
 * The live nodes as the heartbeat bucket shows them. NATS 2.9 removes expired keys without telling watchers, so a
 * node counts as present only while its last beat is younger than STALE_BEATS beats (by the entry's server time).
 */
export class Presence {
  private readonly nodes = new Map<string, { record: NodeRecord; seenMs: number }>();
  private follower?: Follower;

  private constructor(
    private readonly staleMs: number,
    private readonly now: () => number,
  ) {}

  /** Follow the heartbeat bucket (re-opened after a server restart: it lives in memory). */
  static async open(
    port: MessagingPort,
    o: { beatMs?: number; now?: () => number; replicas?: number } = {},
  ): Promise<Presence> {
    const beatMs = o.beatMs ?? BEAT_MS;
    const p = new Presence(beatMs * STALE_BEATS, o.now ?? Date.now);
    p.follower = followBucket(
      port,
      () => openNodesBucket(port, beatMs, o.replicas ?? 1),
      (e) => {
        if (e.operation === 'delete') {
          p.nodes.delete(e.key);
          return;
        }
        try {
          p.nodes.set(e.key, { record: decodeNodeRecord(e.value), seenMs: e.createdMs });
        } catch {
          // a malformed record is ignored, as if the node were absent
        }
      },
      { onSynced: (keys) => [...p.nodes.keys()].filter((k) => !keys.has(k)).forEach((k) => p.nodes.delete(k)) },
    );
    await p.follower.ready;
    return p;
  }

  /** Nodes with a fresh beat. */
  live(): NodeRecord[] {
    const cutoff = this.now() - this.staleMs;
    const out: NodeRecord[] = [];
    for (const n of this.nodes.values()) if (n.seenMs >= cutoff) out.push(n.record);
    return out;
  }

  /** Live nodes that hold `model` (optionally a given version). */
  holders(model: string, version?: string): NodeRecord[] {
    return this.live().filter((n) => {
      const vs = n.models[model];
      return vs !== undefined && (version === undefined || vs.includes(version));
    });
  }

  close(): void {
    this.follower?.stop();
  }
}
