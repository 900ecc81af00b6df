/**
 * elmscale/cluster — platform-free cluster logic over the messaging port (docs/cluster.md): the client for services
 * that speak NATS, the registry (deploy, canary, remove), presence, and the node that follows them. Connect with
 * `connectCluster` from `elmscale/node` (the NATS adapter) and pass the port in:
 *
 *   const port = await connectCluster('nats://127.0.0.1:4222');
 *   const client = new ClusterClient(port, { presence: await Presence.open(port) });
 *   const answer = await client.infer({ model: 'digits', body, contentType: 'application/json' });
 */
export { ClusterClient, type ClusterClientOptions, type ClusterAnswer } from './cluster/client.js';
export { ClusterRegistry, type DeployOptions, type DeployResult } from './cluster/registry.js';
export { Presence, BEAT_MS, STALE_BEATS } from './cluster/presence.js';
export { ClusterNode, forwardingFront, type ClusterNodeOptions, type FrontPath } from './cluster/node.js';
export { followBucket, type Follower, type FollowOptions } from './cluster/watch.js';
export {
  BUCKET,
  HOLDERS_QUEUE,
  inferSubject,
  nodeInferSubject,
  modelToken,
  tokenModel,
  isNodeId,
} from './cluster/names.js';
export {
  type ModelRecord,
  type NodeRecord,
  encodeRecord,
  decodeModelRecord,
  decodeNodeRecord,
} from './cluster/records.js';
export { H as WIRE_HEADERS, requestHeaders, callFromMessage, replyOf, answerOf } from './cluster/wire.js';
export type * from './cluster/port.js';
