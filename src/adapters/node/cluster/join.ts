import { hostname } from 'node:os';
import { ClusterClient } from '../../../cluster/client.js';
import { isNodeId } from '../../../cluster/names.js';
import { ClusterNode, forwardingFront } from '../../../cluster/node.js';
import type { MessagingPort } from '../../../cluster/port.js';
import { Presence } from '../../../cluster/presence.js';
import type { ServerContext } from '../http/options.js';
import { connectCluster } from '../nats/index.js';

export interface JoinOptions {
  /** NATS URL(s); credentials from the URL or ELMSCALE_NATS_* (never printed). */
  cluster: string;
  nodeId?: string | undefined;
  /** The node's HTTP front, announced to the cluster. */
  httpUrl?: string;
  /** Per-attempt timeout of forwarded requests, ms. */
  timeoutMs?: number;
  beatMs?: number;
  /** Copies of the cluster's buckets when they are created (3 in a 3-server JetStream cluster). */
  replicas?: number;
  log?: (line: string) => void;
}

export interface ClusterMember {
  node: ClusterNode;
  client: ClusterClient;
  presence: Presence;
  port: MessagingPort;
  close(): Promise<void>;
}

/** A default node id: host name and process id, as one subject token. */
export function defaultNodeId(): string {
  const id = `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(-64);
  return isNodeId(id) ? id : `node-${process.pid}`;
}

/**
 * Join a running server to a cluster: connect, follow the registry, serve over NATS, beat; and put the forwarding
 * front before the local pipeline so the HTTP front answers models held elsewhere.
 */
export async function joinCluster(ctx: ServerContext, o: JoinOptions): Promise<ClusterMember> {
  const nodeId = o.nodeId ?? defaultNodeId();
  const port = await connectCluster(o.cluster, { name: nodeId });
  let node: ClusterNode | undefined;
  let presence: Presence | undefined;
  try {
    node = new ClusterNode({
      port,
      nodeId,
      service: ctx.service,
      pipeline: ctx.pipeline,
      loadArtifact: (name, bytes, lo) => ctx.loadArtifact(name, { bytes }, lo),
      ...(o.httpUrl ? { httpUrl: o.httpUrl } : {}),
      ...(o.beatMs ? { beatMs: o.beatMs } : {}),
      ...(o.replicas ? { replicas: o.replicas } : {}),
      ...(o.log ? { log: o.log } : {}),
    });
    presence = await Presence.open(port, {
      ...(o.beatMs ? { beatMs: o.beatMs } : {}),
      ...(o.replicas ? { replicas: o.replicas } : {}),
    });
    const client = new ClusterClient(port, { presence, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) });
    await node.start();
    ctx.front = forwardingFront(node, ctx.pipeline, client, presence, (path) => ctx.metrics.clusterRoute(path));
    const member = node;
    const p = presence;
    return {
      node: member,
      client,
      presence: p,
      port,
      close: async () => {
        ctx.front = ctx.pipeline;
        await member.close();
        p.close();
        await port.close();
      },
    };
  } catch (e) {
    await node?.close().catch(() => undefined);
    presence?.close();
    await port.close().catch(() => undefined);
    throw e;
  }
}
