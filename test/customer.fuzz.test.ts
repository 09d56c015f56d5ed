import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldError } from '../src/platform/errors/app-error.js';
import { checkEmail, checkName, checkPhone } from '../src/services/customer/domain/customer.js';
import { customerToken, SERVICES, TEST_ENV, verifiedCustomer } from './customer.fixtures.js';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';

/** Property fuzzing of the identity endpoints (G8): any body is a 2xx/4xx, never a 5xx, and nothing invalid is stored. */
const anyValue = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    'a@b.co',
    'user@example.com',
    '+14155550123',
    'x'.repeat(2000),
    '\u0000\u0007',
    'ÄÖÜ@exämple.com',
  ),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);
const body = (keys: string[]) =>
  fc.oneof(fc.record(Object.fromEntries(keys.map((k) => [k, anyValue])), { requiredKeys: [] }), anyValue);

const ENDPOINTS: { url: string; keys: string[] }[] = [
  { url: '/api/v1/customers/register', keys: ['email', 'password', 'firstName', 'lastName', 'phone'] },
  { url: '/api/v1/auth/login', keys: ['email', 'password', 'type'] },
  { url: '/api/v1/customers/verify-email', keys: ['token'] },
  { url: '/api/v1/customers/password-reset/request', keys: ['email'] },
  { url: '/api/v1/customers/password-reset/confirm', keys: ['token', 'newPassword'] },
];

describe.each(TEST_DATABASES)('identity endpoints under fuzzing (%s)', (database) => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform(database, { services: SERVICES, env: TEST_ENV });
  });
  afterAll(() => platform?.close());

  it.each(ENDPOINTS)(
    'POST $url never answers 5xx',
    async ({ url, keys }) => {
      await fc.assert(
        fc.asyncProperty(body(keys), async (payload) => {
          const res = await platform.app.inject({
            method: 'POST',
            url,
            payload: JSON.stringify(payload),
            headers: { 'content-type': 'application/json' },
          });
          expect(res.statusCode, `${url} ${JSON.stringify(payload)} → ${res.body}`).toBeLessThan(500);
          if (res.statusCode >= 400)
            expect(res.headers['content-type']).toContain('application/problem+json');
        }),
        { numRuns: 40 },
      );
    },
    120_000,
  );

  it('authenticated customer and admin endpoints never answer 5xx', async () => {
    const c = await verifiedCustomer(platform.app);
    const token = (await customerToken(platform.app, c)).accessToken;
    const admin = (await loginAs(platform.app)).accessToken;
    const targets: { method: 'PATCH' | 'POST' | 'PUT'; url: string; keys: string[]; token: string }[] = [
      {
        method: 'PATCH',
        url: '/api/v1/customers/me',
        keys: ['version', 'firstName', 'lastName', 'phone'],
        token,
      },
      {
        method: 'POST',
        url: '/api/v1/customers/me/addresses',
        keys: ['label', 'firstName', 'lastName', 'line1', 'city', 'postalCode', 'country', 'phone'],
        token,
      },
      {
        method: 'PUT',
        url: '/api/v1/customers/me/preferences',
        keys: ['version', 'preferences', 'consents'],
        token,
      },
      {
        method: 'POST',
        url: `/api/v1/admin/customers/${c.id}/status`,
        keys: ['status', 'reason'],
        token: admin,
      },
      { method: 'PUT', url: `/api/v1/admin/customers/${c.id}/roles`, keys: ['roles'], token: admin },
    ];
    for (const t of targets)
      await fc.assert(
        fc.asyncProperty(body(t.keys), async (payload) => {
          const res = await platform.app.inject({
            method: t.method,
            url: t.url,
            payload: JSON.stringify(payload),
            headers: { 'content-type': 'application/json', ...bearer(t.token) },
          });
          expect(res.statusCode, `${t.url} ${JSON.stringify(payload)} → ${res.body}`).toBeLessThan(500);
        }),
        { numRuns: 30 },
      );
    const list = await platform.app.inject({
      method: 'GET',
      url: `/api/v1/admin/customers?email=${encodeURIComponent('\u0000@x.y')}`,
      headers: bearer(admin),
    });
    expect(list.statusCode).toBeLessThan(500);
  }, 180_000);

  it('stored every registered account valid and normalized', async () => {
    // Valid-looking registrations with messy but acceptable input, mixed with the fuzzed ones above.
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          local: fc.stringMatching(/^[a-z0-9._-]{1,20}$/),
          first: fc.string({ minLength: 1, maxLength: 120 }),
          phone: fc.option(fc.stringMatching(/^\+?[0-9 ()-]{0,20}$/), { nil: undefined }),
        }),
        async ({ local, first, phone }) => {
          const res = await platform.app.inject({
            method: 'POST',
            url: '/api/v1/customers/register',
            payload: {
              email: ` ${local.toUpperCase()}@Example.COM `,
              password: 'fuzzing-passphrase',
              firstName: first,
              lastName: 'Doe',
              phone,
            },
          });
          expect([201, 400, 409]).toContain(res.statusCode);
        },
      ),
      { numRuns: 25 },
    );
    const rows = await platform.orderline.database.root
      .withSchema('customer')
      .selectFrom('customers')
      .select(['email', 'first_name', 'last_name', 'phone'])
      .execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const errors: FieldError[] = [];
      expect(checkEmail(row.email, errors)).toBe(row.email);
      expect(checkName(row.first_name, 'firstName', errors)).toBe(row.first_name);
      expect(checkName(row.last_name, 'lastName', errors)).toBe(row.last_name);
      expect(checkPhone(row.phone, errors)).toBe(row.phone);
      expect(errors).toEqual([]);
    }
  }, 180_000);
});
