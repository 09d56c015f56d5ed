import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.js';
import { mergePermissions, unknownRoles } from './roles.js';

describe('roles', () => {
  it('names every requested role that does not exist, once (U4)', () => {
    expect(unknownRoles(['admin', 'wizard', 'wizard', 'ghost'], ['admin', 'support'])).toEqual([
      'wizard',
      'ghost',
    ]);
    expect(unknownRoles([], ['admin'])).toEqual([]);
    expect(unknownRoles(['support'], ['admin', 'support'])).toEqual([]);
  });

  it('merges permissions into a sorted set', () => {
    expect(
      mergePermissions([['orders:read', 'customers:read'], ['orders:read', 'catalog:write'], []]),
    ).toEqual(['catalog:write', 'customers:read', 'orders:read']);
  });
});

describe('list cursor', () => {
  const id = '01900000-0000-7000-8000-0000000000ab';

  it('round-trips an id and is not the id in clear', () => {
    const cursor = encodeCursor(id);
    expect(cursor).not.toContain(id);
    expect(decodeCursor(cursor)).toBe(id);
  });

  it('refuses forged cursors with validation_failed', () => {
    for (const forged of [
      '',
      'abc',
      Buffer.from('not-a-uuid').toString('base64url'),
      Buffer.from(`v1:${id}`).toString('base64url'),
      `${encodeCursor(id)}=`,
      "' or 1=1 --",
    ])
      expect(() => decodeCursor(forged)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });
});
