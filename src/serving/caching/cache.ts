/** Counters every cache keeps (exported as metrics and in the statistics extension). */
export interface CacheStats {
  hits: number;
  misses: number;
  evictions: number;
  expirations: number;
  entries: number;
  bytes: number;
}

/**
 * A response cache: bounded by entries and bytes, entries expire after a TTL. Keys are strings; invalidate(prefix)
 * drops every key that starts with prefix (a model version's keys share one).
 */
export interface ResponseCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V, bytes: number): void;
  delete(key: string): boolean;
  invalidate(prefix: string): number;
  clear(): void;
  stats(): CacheStats;
}

export interface CacheOptions {
  /** Byte budget over all entries (values' declared sizes plus key length). */
  maxBytes: number;
  /** Entry limit. */
  maxEntries?: number;
  /** Time to live, ms (0 or Infinity = no expiry). */
  ttlMs?: number;
  /** Clock in ms (injected; tests use a fake one). */
  now: () => number;
}

interface Entry<V> {
  value: V;
  bytes: number;
  expires: number;
}

/** LRU over a Map's insertion order: a hit re-inserts the key at the end; eviction takes the first key. */
export class LruCache<V> implements ResponseCache<V> {
  private readonly map = new Map<string, Entry<V>>();
  private used = 0;
  private s = { hits: 0, misses: 0, evictions: 0, expirations: 0 };
  /** The most recently used entry: a hit on it needs no re-insertion (a Map delete + set per hit rehashes often). */
  private newest: Entry<V> | undefined;

  constructor(private readonly o: CacheOptions) {}

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (!e) {
      this.s.misses++;
      return undefined;
    }
    if (e.expires <= this.o.now()) {
      this.remove(key, e);
      this.s.expirations++;
      this.s.misses++;
      return undefined;
    }
    if (e !== this.newest) {
      this.map.delete(key);
      this.map.set(key, e);
      this.newest = e;
    }
    this.s.hits++;
    return e.value;
  }

  set(key: string, value: V, bytes: number): void {
    const size = bytes + key.length * 2;
    const old = this.map.get(key);
    if (old) this.remove(key, old);
    if (size > this.o.maxBytes) return;
    const ttl = this.o.ttlMs ?? 0;
    const expires = ttl > 0 && Number.isFinite(ttl) ? this.o.now() + ttl : Infinity;
    const maxEntries = this.o.maxEntries ?? Infinity;
    while ((this.used + size > this.o.maxBytes || this.map.size >= maxEntries) && this.map.size > 0) {
      const [k, e] = this.map.entries().next().value as [string, Entry<V>];
      this.remove(k, e);
      this.s.evictions++;
    }
    const e: Entry<V> = { value, bytes: size, expires };
    this.map.set(key, e);
    this.newest = e;
    this.used += size;
  }

  delete(key: string): boolean {
    const e = this.map.get(key);
    if (!e) return false;
    this.remove(key, e);
    return true;
  }

  invalidate(prefix: string): number {
    let n = 0;
    for (const [k, e] of this.map) {
      if (k.startsWith(prefix)) {
        this.remove(k, e);
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.map.clear();
    this.newest = undefined;
    this.used = 0;
  }

  stats(): CacheStats {
    return { ...this.s, entries: this.map.size, bytes: this.used };
  }

  private remove(key: string, e: Entry<V>): void {
    if (e === this.newest) this.newest = undefined;
    this.map.delete(key);
    this.used -= e.bytes;
  }
}

/**
 * N independent LRU shards chosen by a hash of the key: smaller maps, and a hot key evicts only within its shard.
 * Budgets are split evenly.
 */
export class ShardedLruCache<V> implements ResponseCache<V> {
  private readonly shards: LruCache<V>[];

  constructor(o: CacheOptions, shards = 8) {
    const n = Math.max(1, shards);
    const per: CacheOptions = { ...o, maxBytes: Math.floor(o.maxBytes / n) };
    if (o.maxEntries !== undefined) per.maxEntries = Math.max(1, Math.floor(o.maxEntries / n));
    this.shards = Array.from({ length: n }, () => new LruCache<V>(per));
  }

  private shard(key: string): LruCache<V> {
    let h = 0x811c9dc5;
    for (let i = key.length - 1, k = 0; i >= 0 && k < 16; i--, k++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
    return this.shards[(h >>> 0) % this.shards.length]!;
  }

  get(key: string): V | undefined {
    return this.shard(key).get(key);
  }
  set(key: string, value: V, bytes: number): void {
    this.shard(key).set(key, value, bytes);
  }
  delete(key: string): boolean {
    return this.shard(key).delete(key);
  }
  invalidate(prefix: string): number {
    return this.shards.reduce((n, s) => n + s.invalidate(prefix), 0);
  }
  clear(): void {
    for (const s of this.shards) s.clear();
  }
  stats(): CacheStats {
    const t: CacheStats = { hits: 0, misses: 0, evictions: 0, expirations: 0, entries: 0, bytes: 0 };
    for (const s of this.shards) {
      const x = s.stats();
      for (const k of Object.keys(t) as (keyof CacheStats)[]) t[k] += x[k];
    }
    return t;
  }
}
