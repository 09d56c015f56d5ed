import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, type TokenPair, whoAmI } from './auth.fixtures.js';
import { loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';

type App = TestPlatform['app'];
const PHONE = 'device-phone-0001';
const LAPTOP = 'device-laptop-0002';

const loginFrom = async (app: App, email: string, password: string, headers: Record<string, string>) => {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers,
    payload: { email, password, type: 'shipper' },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as TokenPair;
};

const refreshFrom = (app: App, refreshToken: string, headers: Record<string, string>) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers, payload: { refreshToken } });

const mismatches = async (platform: TestPlatform, mode: string) => {
  const metric = await platform.orderline.metrics.registry
    .getSingleMetric('orderline_auth_device_mismatches_total')!
    .get();
  return metric.values.find((v) => v.labels.mode === mode)?.value ?? 0;
};

describe.each(TEST_DATABASES)('device binding (%s)', (database) => {
  let block: TestPlatform;
  let warn: TestPlatform;
  beforeAll(async () => {
    block = await startTestPlatform(database, {
      services: ['user', 'auth'],
      env: { AUTH_DEVICE_BINDING: 'block' },
    });
    warn = await startTestPlatform(database, {
      services: ['user', 'auth'],
      env: { AUTH_DEVICE_BINDING: 'warn' },
    });
  });
  afterAll(async () => {
    await block?.close();
    await warn?.close();
  });

  const shipperOn = async (platform: TestPlatform) =>
    createStaff(platform.app, (await loginAs(platform.app)).accessToken);

  it('block: a refresh from the same X-Device-Id rotates', async () => {
    const s = await shipperOn(block);
    const pair = await loginFrom(block.app, s.email, s.password, { 'x-device-id': PHONE });
    const res = await refreshFrom(block.app, pair.refreshToken, {
      'x-device-id': PHONE,
      'user-agent': 'other',
    });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('block: a refresh from another device is refused with 401 device_mismatch and ends the session', async () => {
    const s = await shipperOn(block);
    const pair = await loginFrom(block.app, s.email, s.password, { 'x-device-id': PHONE });
    const before = await mismatches(block, 'block');
    const res = await refreshFrom(block.app, pair.refreshToken, { 'x-device-id': LAPTOP });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('device_mismatch');
    expect(await mismatches(block, 'block')).toBe(before + 1);
    // The session is over: its access token and a retry from the right device both fail.
    expect((await whoAmI(block.app, pair.accessToken)).json().code).toBe('session_revoked');
    expect((await refreshFrom(block.app, pair.refreshToken, { 'x-device-id': PHONE })).statusCode).toBe(401);
  });

  it('block: without X-Device-Id the user agent is the fingerprint, and dropping the header counts as another device', async () => {
    const s = await shipperOn(block);
    const byAgent = await loginFrom(block.app, s.email, s.password, { 'user-agent': 'ShopApp/1.0' });
    expect(
      (await refreshFrom(block.app, byAgent.refreshToken, { 'user-agent': 'ShopApp/1.0' })).statusCode,
    ).toBe(200);
    const other = await loginFrom(block.app, s.email, s.password, { 'user-agent': 'ShopApp/1.0' });
    expect((await refreshFrom(block.app, other.refreshToken, { 'user-agent': 'curl/8' })).statusCode).toBe(
      401,
    );

    const byId = await loginFrom(block.app, s.email, s.password, {
      'x-device-id': PHONE,
      'user-agent': 'ShopApp/1.0',
    });
    const res = await refreshFrom(block.app, byId.refreshToken, { 'user-agent': 'ShopApp/1.0' });
    expect(res.json().code).toBe('device_mismatch');
  });

  it('refuses a malformed X-Device-Id with 400 before anything else', async () => {
    const res = await block.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      headers: { 'x-device-id': 'bad id with spaces' },
      payload: { refreshToken: 'A'.repeat(43) },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
  });

  it('warn: a refresh from another device rotates, but is counted', async () => {
    const s = await shipperOn(warn);
    const pair = await loginFrom(warn.app, s.email, s.password, { 'x-device-id': PHONE });
    const before = await mismatches(warn, 'warn');
    const res = await refreshFrom(warn.app, pair.refreshToken, { 'x-device-id': LAPTOP });
    expect(res.statusCode, res.body).toBe(200);
    expect(await mismatches(warn, 'warn')).toBe(before + 1);
    const same = await refreshFrom(warn.app, res.json().refreshToken, { 'x-device-id': PHONE });
    expect(same.statusCode).toBe(200);
    expect(await mismatches(warn, 'warn')).toBe(before + 1);
  });
});
