import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import type { AccessClaims } from '../domain/token-claims.js';
import { createKeyRing } from './key-ring.js';
import { generateSigningKey } from './signing-keys.js';

const claims: AccessClaims = {
  sub: 'u1',
  typ: 'admin',
  roles: ['admin'],
  perms: ['*'],
  pv: 1,
  sid: '01900000-0000-7000-8000-000000000001',
};
const now = new Date('2026-03-01T12:00:00Z');
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as { code: string }).code;
  }
  throw new Error('expected a rejection');
}

describe('key ring', () => {
  it('signs with the first key and verifies with any listed key (rotation, A2)', async () => {
    const [newKey, oldKey] = await Promise.all([generateSigningKey('new'), generateSigningKey('old')]);
    const before = await createKeyRing([oldKey], 'orderline');
    const after = await createKeyRing([newKey, oldKey], 'orderline');
    const oldToken = await before.sign(claims, now, at(900));
    const newToken = await after.sign(claims, now, at(900));
    expect(decodeProtectedHeader(newToken)).toEqual({ alg: 'ES256', kid: 'new', typ: 'JWT' });
    expect(decodeJwt(newToken)).toMatchObject({
      iss: 'orderline',
      sub: 'u1',
      iat: now.getTime() / 1000,
      exp: now.getTime() / 1000 + 900,
    });
    expect(await after.verify(oldToken, at(10))).toEqual(claims);
    expect(await after.verify(newToken, at(10))).toEqual(claims);
    // Once the old key is dropped, its tokens are refused.
    expect(await codeOf((await createKeyRing([newKey], 'orderline')).verify(oldToken, at(10)))).toBe(
      'invalid_token',
    );
  });

  it('refuses expired tokens with token_expired', async () => {
    const ring = await createKeyRing([await generateSigningKey('k')], 'orderline');
    const token = await ring.sign(claims, now, at(900));
    expect(await codeOf(ring.verify(token, at(901)))).toBe('token_expired');
  });

  it('refuses another issuer and malformed tokens with invalid_token', async () => {
    const key = await generateSigningKey('k');
    const foreign = await (await createKeyRing([key], 'someone-else')).sign(claims, now, at(900));
    const ring = await createKeyRing([key], 'orderline');
    expect(await codeOf(ring.verify(foreign, now))).toBe('invalid_token');
    expect(await codeOf(ring.verify('a.b.c', now))).toBe('invalid_token');
    expect(await codeOf(ring.verify('', now))).toBe('invalid_token');
  });

  it('refuses a validly signed token that lacks the Orderline claims', async () => {
    const ring = await createKeyRing([await generateSigningKey('k')], 'orderline');
    const token = await ring.sign({ ...claims, sid: 'not-a-uuid' }, now, at(900));
    expect(await codeOf(ring.verify(token, now))).toBe('invalid_token');
  });

  it('publishes public keys only', async () => {
    const key = await generateSigningKey('k');
    const { keys } = (await createKeyRing([key], 'orderline')).jwks();
    expect(keys).toEqual([
      { kty: 'EC', crv: 'P-256', x: key.x, y: key.y, kid: 'k', alg: 'ES256', use: 'sig' },
    ]);
  });
});
