/**
 * The cluster's names on the engine, in one place (docs/cluster.md lists them). Model names may hold '.', which is
 * a token separator in subjects and KV key patterns, so names used as a token are escaped ('.' → '=2E'; '=' never
 * occurs in a model name, see serving/registry.ts).
 */
export const BUCKET = {
  /** Heartbeats: key = node id, value = NodeRecord; entries expire (max age) when a node stops beating. */
  nodes: 'elmscale_nodes',
  /** The model registry: key = model token, value = ModelRecord; written by compare-and-set. */
  models: 'elmscale_models',
  /** Artifacts by content: object name = SHA-256 hex of the .elm bytes. */
  artifacts: 'elmscale_artifacts',
} as const;

/** Requests for a model, answered by one member of the queue group of the nodes that hold it. */
export const HOLDERS_QUEUE = 'holders';

export function modelToken(name: string): string {
  return name.replace(/\./g, '=2E');
}

export function tokenModel(token: string): string {
  return token.replace(/=2E/g, '.');
}

/** Any holder of the model (queue group). */
export function inferSubject(model: string): string {
  return `elmscale.infer.${modelToken(model)}`;
}

/** One node's direct inference subject for a model (retries and client-side balancing pick the node). */
export function nodeInferSubject(nodeId: string, model: string): string {
  return `elmscale.node.${nodeId}.infer.${modelToken(model)}`;
}

/** What a node subscribes to receive every direct request. */
export function nodeInferWildcard(nodeId: string): string {
  return `elmscale.node.${nodeId}.infer.*`;
}

const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Node ids are one subject token and a KV key. */
export function isNodeId(id: string): boolean {
  return NODE_ID.test(id);
}
