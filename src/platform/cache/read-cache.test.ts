import { describe, expect, it } from 'vitest';
import { cacheKey, createReadCache, readThrough } from './read-cache.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('read cache', () => {
  it('keys by structure: parts that would concatenate alike never share an entry', () => {
    expect(cacheKey('sku', 'A:B')).not.toBe(cacheKey('sku:A', 'B'));
    expect(cacheKey('page', null, 'x')).not.toBe(cacheKey('page', 'null', 'x'));
  });

  it('serves a stored entry until its key is invalidated', () => {
    const cache = createReadCache<{ v: number }>({ ttlSeconds: 60, maxEntries: 10 });
    cache.set('a', { v: 1 }, cache.generation);
    cache.set('b', { v: 2 }, cache.generation);
    expect(cache.get('a')).toEqual({ v: 1 });
    cache.invalidate(['a']);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toEqual({ v: 2 });
    cache.clear();
    expect(cache.get('b')).toBeUndefined();
  });

  it('ends an entry after its TTL', async () => {
    const cache = createReadCache<{ v: number }>({ ttlSeconds: 0.05, maxEntries: 10 });
    cache.set('a', { v: 1 }, cache.generation);
    expect(cache.get('a')).toEqual({ v: 1 });
    await sleep(80);
    expect(cache.get('a')).toBeUndefined();
  });

  it('never stores a read that raced an invalidation (generation guard)', () => {
    const cache = createReadCache<{ v: number }>({ ttlSeconds: 60, maxEntries: 10 });
    const readAt = cache.generation;
    cache.invalidate(['other']);
    cache.set('a', { v: 1 }, readAt);
    expect(cache.get('a')).toBeUndefined();
    const clearedAt = cache.generation;
    cache.clear();
    cache.set('a', { v: 1 }, clearedAt);
    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps nothing when configured off', () => {
    for (const options of [
      { ttlSeconds: 0, maxEntries: 10 },
      { ttlSeconds: 60, maxEntries: 0 },
    ]) {
      const cache = createReadCache<{ v: number }>(options);
      cache.set('a', { v: 1 }, cache.generation);
      expect(cache.get('a')).toBeUndefined();
    }
  });

  it('readThrough: a hit skips the load; without the cache it loads and refreshes the entry', async () => {
    const cache = createReadCache<{ v: number }>({ ttlSeconds: 60, maxEntries: 10 });
    let stored = 1;
    let loads = 0;
    const load = async () => {
      loads++;
      return { v: stored };
    };
    expect(await readThrough(cache, 'a', true, load)).toEqual({ v: 1 });
    stored = 2;
    expect(await readThrough(cache, 'a', true, load)).toEqual({ v: 1 });
    expect(loads).toBe(1);
    expect(await readThrough(cache, 'a', false, load)).toEqual({ v: 2 });
    expect(await readThrough(cache, 'a', true, load)).toEqual({ v: 2 });
    expect(loads).toBe(2);
  });

  it('readThrough: a load that an invalidation overtakes is returned but not cached', async () => {
    const cache = createReadCache<{ v: number }>({ ttlSeconds: 60, maxEntries: 10 });
    const answer = await readThrough(cache, 'a', true, async () => {
      cache.invalidate(['a']); // a write commits while the read is in flight
      return { v: 1 };
    });
    expect(answer).toEqual({ v: 1 });
    expect(cache.get('a')).toBeUndefined();
  });
});
