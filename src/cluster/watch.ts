import type { KvBucket, KvEntry, KvWatch, KvWatchOptions, MessagingPort } from './port.js';

export interface FollowOptions extends Pick<KvWatchOptions, 'key'> {
  /**
   * Called after each (re)start once the bucket's current values have been delivered, with the keys seen: what was
   * deleted while the watch was down is whatever the follower holds that is not among them.
   */
  onSynced?(keys: ReadonlySet<string>): void;
  /** Wait before a restart after a failure, ms (default 250). */
  retryMs?: number;
  /**
   * How often to compare the bucket's latest revision with the last one delivered, ms (default 2000; 0 = never).
   * A watch whose consumer lived on a JetStream server that died can stall without ending; this notices it.
   */
  checkMs?: number;
}

export interface Follower {
  /** The first sync is complete. */
  readonly ready: Promise<void>;
  stop(): void;
}

/**
 * A KV watch that survives the server: a restart of the server (or the loss of an in-memory bucket) ends a watch,
 * so it is opened again — bucket and all — after every reconnect and whenever it ends unasked. Each restart
 * replays the current values, so followers must treat entries as idempotent.
 */
export function followBucket(
  port: MessagingPort,
  open: () => Promise<KvBucket>,
  onEntry: (e: KvEntry) => void,
  o: FollowOptions = {},
): Follower {
  let stopped = false;
  let current: KvWatch | undefined;
  let generation = 0;
  let firstReady!: () => void;
  let firstFailed!: (e: unknown) => void;
  const ready = new Promise<void>((res, rej) => {
    firstReady = res;
    firstFailed = rej;
  });
  let everReady = false;
  let delivered = 0;
  let currentBucket: KvBucket | undefined;
  let target: number | undefined;

  const start = async (): Promise<void> => {
    const gen = ++generation;
    delivered = 0;
    current?.stop();
    current = undefined;
    const seen = new Set<string>();
    let syncing = true;
    const bucket = await open();
    currentBucket = bucket;
    const w = await bucket.watch(
      (e) => {
        if (gen !== generation) return;
        if (e.revision > delivered) delivered = e.revision;
        if (syncing && e.operation === 'put') seen.add(e.key);
        onEntry(e);
      },
      o.key !== undefined ? { key: o.key } : {},
    );
    if (gen !== generation || stopped) {
      w.stop();
      return;
    }
    current = w;
    await w.ready;
    syncing = false;
    // Everything the bucket held when the replay finished counts as delivered (tombstones and purges are not
    // replayed); a stall is a later revision that never arrives.
    delivered = Math.max(delivered, await bucket.lastRevision().catch(() => 0));
    target = undefined;
    o.onSynced?.(seen);
    if (!everReady) {
      everReady = true;
      firstReady();
    }
    void w.closed.then(() => {
      if (!stopped && gen === generation) schedule();
    });
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (): void => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      start().catch((e: unknown) => {
        if (!everReady && port.state === 'closed') firstFailed(e);
        schedule();
      });
    }, o.retryMs ?? 250);
  };

  const off = port.onEvent((e) => {
    if (e.type === 'reconnect') schedule();
  });
  // A stalled watch: a revision the bucket had at the previous check has still not been delivered (puts in flight
  // at one check are delivered long before the next).
  const checkMs = o.checkMs ?? 2000;
  const checker =
    checkMs > 0
      ? setInterval(() => {
          const b = currentBucket;
          if (!b || !everReady || stopped) return;
          void b
            .lastRevision()
            .then((last) => {
              const stalled = target !== undefined && delivered < target;
              target = stalled ? undefined : last;
              if (stalled) schedule();
            })
            .catch(() => undefined);
        }, checkMs)
      : undefined;
  (checker as { unref?: () => void } | undefined)?.unref?.();
  start().catch((e: unknown) => {
    if (!everReady) firstFailed(e);
  });
  return {
    ready,
    stop() {
      stopped = true;
      off();
      if (checker) clearInterval(checker);
      if (timer) clearTimeout(timer);
      current?.stop();
    },
  };
}
