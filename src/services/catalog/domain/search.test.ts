import { describe, expect, it } from 'vitest';
import { MAX_SEARCH_TERMS, toPrefixTsQuery } from './search.js';

describe('toPrefixTsQuery', () => {
  it('turns every word into an AND-ed prefix term', () => {
    expect(toPrefixTsQuery('cotton')).toBe('cotton:*');
    expect(toPrefixTsQuery('  Classic   Cott ')).toBe('Classic:* & Cott:*');
  });

  it('strips tsquery operators and punctuation so the query cannot break or change meaning', () => {
    expect(toPrefixTsQuery("usb-c & (charger | !65w):* 'x'")).toBe('usb:* & c:* & charger:* & 65w:* & x:*');
    expect(toPrefixTsQuery('a\u0000b')).toBe('a:* & b:*');
    expect(toPrefixTsQuery('!!! &|:* ()')).toBeUndefined();
    expect(toPrefixTsQuery('')).toBeUndefined();
  });

  it('keeps letters of any script and drops duplicates', () => {
    expect(toPrefixTsQuery('Kaffeebecher für Kaffee für')).toBe('Kaffeebecher:* & für:* & Kaffee:*');
    expect(toPrefixTsQuery('чашка')).toBe('чашка:*');
  });

  it('bounds the number and length of terms', () => {
    const words = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ');
    expect(toPrefixTsQuery(words)?.split(' & ')).toHaveLength(MAX_SEARCH_TERMS);
    expect(toPrefixTsQuery('a'.repeat(100))).toBe(`${'a'.repeat(64)}:*`);
  });
});
