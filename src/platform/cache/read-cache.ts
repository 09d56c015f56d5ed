import { LRUCache } from 'lru-cache';

/**
 * A bounded, TTL-limited in-process cache of values read from a service's own database, for
 * data that changes rarely (products, tax rates, shipping options). The owning service drops
 * entries right after its own writes commit (`invalidate`/`clear`); the TTL bounds how long
 * another replica's write can go unseen — an event consumer would not help there, because a
 * consumer group hands each event to ONE replica.
 *
 * Generation guard: read `generation` BEFORE the database read and pass it to `set`; an entry
 * is stored only if no invalidation happened in between, so a read that raced a committing
 * change never caches the old value over it.
 *
 * Keys are strings; callers build them with `cacheKey(...)` (JSON of the parts) so two
 * different inputs can never share a key (PR-P0-01).
 */
export interface ReadCache<V> {
  get(key: string): V | undefined;
  /** Stores `value` when nothing was invalidated since `generation` was taken. */
  set(key: string, value: V, generation: number): void;
  /** Drops these keys; bumps the generation. */
  invalidate(keys: Iterable<string>): void;
  /** Drops everything; bumps the generation. */
  clear(): void;
  readonly generation: number;
  readonly size: number;
}

export interface ReadCacheOptions {
  /** 0 disables the cache. */
  ttlSeconds: number;
  /** 0 disables the cache. */
  maxEntries: number;
}

/** A canonical key from structured parts: `cacheKey('sku', 'A:B')` ≠ `cacheKey('sku:A', 'B')`. */
export const cacheKey = (...parts: readonly (string | number | boolean | null)[]): string =>
  JSON.stringify(parts);

/** Keeps nothing (TTL or size configured as 0): every read goes to the database. */
function disabledCache<V>(): ReadCache<V> {
  return {
    get: () => undefined,
    set: () => undefined,
    invalidate: () => undefined,
    clear: () => undefined,
    generation: 0,
    size: 0,
  };
}

export function createReadCache<V extends object>(options: ReadCacheOptions): ReadCache<V> {
  if (options.ttlSeconds === 0 || options.maxEntries === 0) return disabledCache<V>();
  let generation = 0;
  const lru = new LRUCache<string, V>({ max: options.maxEntries, ttl: options.ttlSeconds * 1000 });
  return {
    get: (key) => lru.get(key),
    set(key, value, readAt) {
      if (readAt === generation) lru.set(key, value);
    },
    invalidate(keys) {
      generation++;
      for (const key of keys) lru.delete(key);
    },
    clear() {
      generation++;
      lru.clear();
    },
    get generation() {
      return generation;
    },
    get size() {
      return lru.size;
    },
  };
}

/**
 * The value under `key`: from the cache when `useCache` and present, otherwise `load()` from the
 * database — whose answer then refreshes the entry (generation-guarded, see above).
 */
export async function readThrough<V extends object>(
  cache: ReadCache<V>,
  key: string,
  useCache: boolean,
  load: () => Promise<V>,
): Promise<V> {
  if (useCache) {
    const hit = cache.get(key);
    if (hit) return hit;
  }
  const generation = cache.generation;
  const value = await load();
  cache.set(key, value, generation);
  return value;
}
