import { describe, expect, it } from 'vitest';
import { money } from '../../../platform/money.js';
import { createPriceCache } from './price.cache.js';

const now = new Date('2025-06-01T12:00:00Z');
const entry = (amount: bigint) => ({ unit: money(amount, 'USD'), changesAt: null, rateFetchedAt: null });

describe('price cache (PR-P0-01)', () => {
  it('keys by structure: inputs that would concatenate alike never share an entry', () => {
    const cache = createPriceCache({ ttlSeconds: 60, maxEntries: 100 });
    cache.set('A:B', 'USD', entry(1n), cache.generation);
    cache.set('A', 'B:USD', entry(2n), cache.generation);
    expect(cache.get('A:B', 'USD', now, 60_000)?.unit?.amount).toBe(1n);
    expect(cache.get('A', 'B:USD', now, 60_000)?.unit?.amount).toBe(2n);
  });

  it('drops every currency of a changed sku and nothing else', () => {
    const cache = createPriceCache({ ttlSeconds: 60, maxEntries: 100 });
    cache.set('A', 'USD', entry(1n), cache.generation);
    cache.set('A', 'EUR', entry(2n), cache.generation);
    cache.set('B', 'USD', entry(3n), cache.generation);
    cache.invalidateSkus(['A']);
    expect(cache.get('A', 'USD', now, 60_000)).toBeUndefined();
    expect(cache.get('A', 'EUR', now, 60_000)).toBeUndefined();
    expect(cache.get('B', 'USD', now, 60_000)?.unit?.amount).toBe(3n);
  });

  it('never stores a read that raced an invalidation', () => {
    const cache = createPriceCache({ ttlSeconds: 60, maxEntries: 100 });
    const readAt = cache.generation;
    cache.invalidateSkus(['A']);
    cache.set('A', 'USD', entry(1n), readAt);
    expect(cache.get('A', 'USD', now, 60_000)).toBeUndefined();
  });

  it('ends an entry when its price changes on schedule or its rate grows stale', () => {
    const cache = createPriceCache({ ttlSeconds: 60, maxEntries: 100 });
    cache.set('A', 'USD', { ...entry(1n), changesAt: now }, cache.generation);
    expect(cache.get('A', 'USD', now, 60_000)).toBeUndefined();
    cache.set(
      'B',
      'USD',
      { ...entry(1n), rateFetchedAt: new Date(now.getTime() - 61_000) },
      cache.generation,
    );
    expect(cache.get('B', 'USD', now, 60_000)).toBeUndefined();
  });

  it('keeps nothing when configured off', () => {
    const cache = createPriceCache({ ttlSeconds: 0, maxEntries: 100 });
    cache.set('A', 'USD', entry(1n), cache.generation);
    expect(cache.get('A', 'USD', now, 60_000)).toBeUndefined();
  });
});
