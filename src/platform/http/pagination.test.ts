import { describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { decodeCursor, encodeCursor } from './pagination.js';

describe('list cursor', () => {
  it('round-trips an id and is URL-safe', () => {
    for (let i = 0; i < 20; i++) {
      const id = newId();
      const cursor = encodeCursor(id);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(cursor)).toBe(id);
    }
  });

  it('does not show the id in clear text', () => {
    const id = newId();
    expect(encodeCursor(id)).not.toContain(id);
  });

  it('refuses anything it did not issue', () => {
    const valid = encodeCursor(newId());
    const bad = [
      '',
      'abc',
      'not a cursor',
      Buffer.from('not-a-uuid').toString('base64url'),
      Buffer.from("' or 1=1 --").toString('base64url'),
      `${valid}=`,
      `${valid}A`,
      valid.slice(0, -1),
      'x'.repeat(500),
    ];
    for (const cursor of bad) expect(decodeCursor(cursor), cursor).toBeUndefined();
  });
});

describe('cursor keys of other shapes', () => {
  it('round-trips keys of the given shape and refuses other shapes', () => {
    const pair = /^[A-Z]{3}\/[A-Z]{3}$/;
    expect(decodeCursor(encodeCursor('USD/EUR'), pair)).toBe('USD/EUR');
    expect(decodeCursor(encodeCursor('usd/eur'), pair)).toBeUndefined();
    expect(decodeCursor(encodeCursor(newId()), pair)).toBeUndefined();
  });
});
