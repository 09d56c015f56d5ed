import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SigningJwk } from '../src/services/auth/app/signing-keys.js';
import { generateSigningKey } from '../src/services/auth/module.js';
import { whoAmI } from './auth.fixtures.js';
import { loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';

/** Re-signs the claims of a real token with another key, as the previous signing key would have. */
async function resign(token: string, key: SigningJwk, kid: string | null = key.kid): Promise<string> {
  const payload = decodeJwt(token);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', ...(kid ? { kid } : {}), typ: 'JWT' })
    .sign(await importJWK(key, 'ES256'));
}

describe.each(TEST_DATABASES)('signing keys and rotation (%s)', (database) => {
  let platform: TestPlatform;
  let current: SigningJwk;
  let previous: SigningJwk;
  let stranger: SigningJwk;
  let token: string;

  beforeAll(async () => {
    [current, previous, stranger] = await Promise.all([
      generateSigningKey('key-2026-02'),
      generateSigningKey('key-2026-01'),
      generateSigningKey('key-unknown'),
    ]);
    platform = await startTestPlatform(database, {
      services: ['user', 'auth'],
      env: { AUTH_JWT_KEYS: JSON.stringify([current, previous]), AUTH_ISSUER: 'orderline-test' },
    });
    token = (await loginAs(platform.app)).accessToken;
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('signs new tokens with the first key and the configured issuer', () => {
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: 'key-2026-02' });
    expect(decodeJwt(token)).toMatchObject({
      iss: 'orderline-test',
      typ: 'admin',
      roles: ['admin'],
      perms: ['*'],
      pv: 1,
    });
  });

  it('still accepts a token signed with the previous key (listed, not first)', async () => {
    expect((await whoAmI(platform.app, token)).statusCode).toBe(200);
    const old = await resign(token, previous);
    expect(decodeProtectedHeader(old).kid).toBe('key-2026-01');
    expect((await whoAmI(platform.app, old)).statusCode).toBe(200);
  });

  it('refuses a token signed with an unknown key', async () => {
    const res = await whoAmI(platform.app, await resign(token, stranger));
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_token');
  });

  it('refuses a token that claims a known kid but was signed by another key', async () => {
    const res = await whoAmI(platform.app, await resign(token, stranger, 'key-2026-01'));
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_token');
  });

  it('refuses a token with a tampered signature or payload', async () => {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await whoAmI(platform.app, `${header}.${payload}.${flipped}`)).statusCode).toBe(401);
    const claims = {
      ...decodeJwt(token),
      perms: ['*'],
      typ: 'admin',
      sub: '01900000-0000-7000-8000-000000000000',
    };
    const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
    expect((await whoAmI(platform.app, `${header}.${forged}.${signature}`)).statusCode).toBe(401);
  });

  it('refuses a token without kid and a non-JWT bearer value', async () => {
    expect((await whoAmI(platform.app, await resign(token, current, null))).statusCode).toBe(401);
    expect((await whoAmI(platform.app, 'not-a-jwt')).statusCode).toBe(401);
  });

  it('publishes every verification key in the JWKS, without private parts', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/api/v1/auth/.well-known/jwks.json' });
    expect(res.statusCode).toBe(200);
    const { keys } = res.json() as { keys: Record<string, string>[] };
    expect(keys.map((k) => k.kid)).toEqual(['key-2026-02', 'key-2026-01']);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
    expect(res.body).not.toContain(current.d);
    expect(res.body).not.toContain(previous.d);
  });
});
