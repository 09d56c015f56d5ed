import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';

/** Anything JSON-ish, including the right field names with wrong types, sizes and characters. */
const anyValue = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

const loginBody = fc.oneof(
  fc.record(
    {
      email: fc.oneof(fc.emailAddress(), anyValue),
      password: fc.oneof(fc.string({ minLength: 1, maxLength: 300 }), anyValue),
      type: fc.oneof(fc.constantFrom('admin', 'shipper', 'customer', 'ADMIN', ''), anyValue),
    },
    { requiredKeys: [] },
  ),
  anyValue,
);

const refreshBody = fc.oneof(
  fc.record(
    {
      refreshToken: fc.oneof(
        fc.string({ minLength: 43, maxLength: 43, unit: fc.constantFrom(...'AZaz09_-+/='.split('')) }),
        anyValue,
      ),
    },
    { requiredKeys: [] },
  ),
  anyValue,
);

describe.each(TEST_DATABASES)('fuzzing the auth endpoints (%s)', (database) => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform(database, { services: ['user', 'auth'] });
  });
  afterAll(async () => {
    await platform?.close();
  });

  // Either the generated value as JSON, or arbitrary text sent as if it were JSON.
  const payloadOf = (body: fc.Arbitrary<unknown>) =>
    fc.oneof(
      body.map((b) => JSON.stringify(b) ?? 'null'),
      fc.string({ maxLength: 200 }),
    );
  const post = (url: string, payload: string) =>
    platform.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });

  it('POST /auth/login answers every body with a 4xx problem, never a 5xx (G8)', async () => {
    await fc.assert(
      fc.asyncProperty(payloadOf(loginBody), async (payload) => {
        const res = await post('/api/v1/auth/login', payload);
        expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, res.body).toBeLessThan(500);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }),
      { numRuns: 60 },
    );
  });

  it('POST /auth/refresh answers every body with a 4xx problem, never a 5xx (G8)', async () => {
    await fc.assert(
      fc.asyncProperty(payloadOf(refreshBody), async (payload) => {
        const res = await post('/api/v1/auth/refresh', payload);
        expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, res.body).toBeLessThan(500);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }),
      { numRuns: 100 },
    );
  });
});
