/**
 * The messaging port: everything cluster logic needs from the messaging engine, and nothing about which engine.
 * src/cluster/ codes against these interfaces only (platform-free, testable); src/adapters/node/nats/ implements
 * them over NATS JetStream (`connectCluster`). Payloads are bytes; callers choose the encoding.
 *
 * Errors are ElmErrors with stable codes:
 *   ELM_ERR_TIMEOUT             a request got no reply within its timeout (a responder exists but is slow or stalled)
 *   ELM_ERR_NO_RESPONDERS       nobody subscribes to the subject; answered at once, never after the timeout
 *   ELM_ERR_CONFLICT            a KV create found the key, or an update/delete's expected revision was stale
 *   ELM_ERR_CLUSTER_UNAVAILABLE the connection is closed, or JetStream cannot answer (no leader, server down)
 *   ELM_ERR_CLUSTER_DENIED      authorisation or subject permission refused
 */

/** Message headers: a plain name → value record (one value per name). */
export type Headers = Readonly<Record<string, string>>;

export interface Reply {
  data: Uint8Array;
  headers?: Headers;
}

export interface IncomingMessage {
  subject: string;
  data: Uint8Array;
  headers?: Headers;
  /** The reply subject when the sender made a request. */
  reply?: string;
  /** Answer a request (no-op returning false when the message was not a request). */
  respond(data: Uint8Array, headers?: Headers): boolean;
}

export interface RequestOptions {
  /** Milliseconds before ELM_ERR_TIMEOUT. Required: a cluster call never waits forever. */
  timeoutMs: number;
  headers?: Headers;
}

export interface SubscribeOptions {
  /** Queue group: each message goes to one member of the group (load balancing across nodes). */
  queue?: string;
  /** Unsubscribe automatically after this many messages. */
  max?: number;
}

export type MessageHandler = (msg: IncomingMessage) => void;

export interface Subscription {
  readonly subject: string;
  /** Stop at once (messages in flight to this subscriber are dropped). */
  unsubscribe(): void;
  /** Stop taking new messages, finish the handlers already called, then resolve. */
  drain(): Promise<void>;
}

/** Connection lifecycle as the cluster logic sees it. */
export type ConnectionEvent =
  | { type: 'disconnect'; server: string }
  | { type: 'reconnecting' }
  | { type: 'reconnect'; server: string }
  | { type: 'error'; error: Error }
  | { type: 'closed' };

export type ConnectionState = 'connected' | 'reconnecting' | 'closed';

export interface BucketOptions {
  /** Entries older than this are removed by the server (the TTL of sessions and heartbeats). 0 = forever. */
  maxAgeMs?: number;
  /** Revisions kept per key (1..64, default 1). */
  history?: number;
  /** Copies in a JetStream cluster (1, 3 or 5; default 1). */
  replicas?: number;
  /** Largest value in bytes (default unlimited). */
  maxValueBytes?: number;
  /** 'file' (default) survives a server restart; 'memory' is faster and does not. */
  storage?: 'file' | 'memory';
}

export interface KvEntry {
  key: string;
  /** Empty for a delete. */
  value: Uint8Array;
  /** The entry's revision: its sequence in the bucket's stream, strictly increasing per bucket. */
  revision: number;
  operation: 'put' | 'delete';
  /** Server time of the write, ms since the epoch. */
  createdMs: number;
}

export interface KvWatchOptions {
  /** A key or a subject-style pattern ('models.*', 'nodes.>'); default every key. */
  key?: string;
  /** 'last' (default): the current value of every key first, then changes; 'updates': changes only. */
  include?: 'last' | 'updates';
}

export interface KvWatch {
  /** Resolves once the handler has seen every value present when the watch began (at once for 'updates'). */
  readonly ready: Promise<void>;
  /** Resolves when the watch ends (after stop(), or when the connection closes). */
  readonly closed: Promise<void>;
  stop(): void;
}

export interface KvBucket {
  readonly name: string;
  /** The current entry, or null when the key is absent or deleted. */
  get(key: string): Promise<KvEntry | null>;
  /** Unconditional write; returns the new revision. */
  put(key: string, value: Uint8Array): Promise<number>;
  /** Write only if the key is absent (or deleted); otherwise ELM_ERR_CONFLICT. The building block of leases. */
  create(key: string, value: Uint8Array): Promise<number>;
  /** Compare-and-set: write only if the key's revision is still `expectedRevision`; otherwise ELM_ERR_CONFLICT. */
  update(key: string, value: Uint8Array, expectedRevision: number): Promise<number>;
  /** Delete (a tombstone watchers see); with `expectedRevision`, only if unchanged (else ELM_ERR_CONFLICT). */
  delete(key: string, opts?: { expectedRevision?: number }): Promise<void>;
  /** Call `onEntry` for each value (first the current ones, unless 'updates') and every later put or delete. */
  watch(onEntry: (e: KvEntry) => void, opts?: KvWatchOptions): Promise<KvWatch>;
  /** Keys with a current value, optionally matching a subject-style pattern. */
  keys(filter?: string): Promise<string[]>;
  /** The bucket's latest revision (0 when empty): lets a watcher detect that it silently fell behind. */
  lastRevision(): Promise<number>;
}

export interface ObjectInfo {
  name: string;
  size: number;
  /** The engine's own digest string (NATS: 'SHA-256=<base64url>'). Content hashes are the caller's concern. */
  digest: string;
  revision: number;
  mtimeMs: number;
  description?: string;
}

export interface ObjectBucket {
  readonly name: string;
  put(name: string, data: Uint8Array, meta?: { description?: string }): Promise<ObjectInfo>;
  /** The whole object, or null when absent. */
  get(name: string): Promise<Uint8Array | null>;
  info(name: string): Promise<ObjectInfo | null>;
  /** True when something was deleted. */
  delete(name: string): Promise<boolean>;
  list(): Promise<ObjectInfo[]>;
}

export interface MessagingPort {
  /** The server URL(s), credentials removed: safe to print. */
  readonly description: string;
  readonly state: ConnectionState;
  publish(subject: string, data: Uint8Array, opts?: { headers?: Headers; reply?: string }): void;
  request(subject: string, data: Uint8Array, opts: RequestOptions): Promise<Reply>;
  subscribe(subject: string, handler: MessageHandler, opts?: SubscribeOptions): Subscription;
  /** Round trip to the server: everything published before has been processed by it. */
  flush(): Promise<void>;
  /** Open a KV bucket, creating it with `opts` when it does not exist. */
  kv(name: string, opts?: BucketOptions): Promise<KvBucket>;
  /** Open an object-store bucket, creating it with `opts` when it does not exist. */
  objects(name: string, opts?: Pick<BucketOptions, 'replicas' | 'storage' | 'maxAgeMs'>): Promise<ObjectBucket>;
  /** Listen to connection events; returns the function that stops listening. */
  onEvent(listener: (e: ConnectionEvent) => void): () => void;
  /** Drain subscriptions and pending publishes, then close. Idempotent. */
  close(): Promise<void>;
}
