import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';

/**
 * The counter stores of @fastify/rate-limit (its in-memory LRU and its Redis Lua script), wrapped so
 * that a store failure fails OPEN visibly — logged and counted — instead of either refusing every
 * request (the limiter must not become the outage) or being skipped silently (`skipOnError`).
 */
export interface RateLimitResult {
  current: number;
  ttl: number;
}

type Callback = (err: Error | null, result?: RateLimitResult) => void;

export interface RateLimitStore {
  incr(key: string, callback: Callback, timeWindow: number, max: number): void;
  /** `routeOptions` are the merged limiter options; `routeInfo` names the route for Redis keys. */
  child(routeOptions: object): RateLimitStore;
}

// The plugin exports its stores only as CommonJS files (no types, no exports map).
const require = createRequire(import.meta.url);
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  cache?: number,
) => RateLimitStore;
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  redis: Redis,
  key?: string,
) => RateLimitStore;

class FailOpenStore implements RateLimitStore {
  constructor(
    private readonly inner: RateLimitStore,
    private readonly onError: (err: Error) => void,
  ) {}

  incr(key: string, callback: Callback, timeWindow: number, max: number): void {
    this.inner.incr(
      key,
      (err, result) => {
        if (err) {
          this.onError(err);
          callback(null, { current: 0, ttl: timeWindow });
        } else callback(null, result);
      },
      timeWindow,
      max,
    );
  }

  child(routeOptions: object): RateLimitStore {
    // Limiters made with createRateLimit() carry no route: name their namespace explicitly.
    const given = (routeOptions as { routeInfo?: { method?: unknown; url?: unknown } }).routeInfo;
    const routeInfo = { method: given?.method ?? 'ALL', url: given?.url ?? ':global' };
    return new FailOpenStore(this.inner.child({ ...routeOptions, routeInfo }), this.onError);
  }
}

/** In-memory LRU of this many keys (clients × routes) per process when there is no Redis. */
const LOCAL_KEYS = 20_000;

/** The store constructor the plugin instantiates: Redis-backed when a client is given. */
export function failOpenStore(
  redis: { client: Redis; prefix: string } | undefined,
  onError: (err: Error) => void,
): new () => RateLimitStore {
  const inner = redis
    ? new RedisStore(false, false, redis.client, redis.prefix)
    : new LocalStore(false, false, LOCAL_KEYS);
  const root = new FailOpenStore(inner, onError);
  return class {
    constructor() {
      // biome-ignore lint/correctness/noConstructorReturn: the plugin calls `new Store(params)`; every call gets the one shared store
      return root;
    }
  } as unknown as new () => RateLimitStore;
}
