/** The NATS (JetStream) implementation of the cluster messaging port: the only place that imports @nats-io/*. */
export { connectCluster, natsConnectionOptions, type ConnectOptions } from './connection.js';
export { natsError } from './errors.js';
export { redactUrl, resolveTarget, scrubSecrets, type ClusterTarget, type ResolvedTarget } from './target.js';
