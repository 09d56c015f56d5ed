import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { bearer, type TestPlatform } from './harness.js';

/** Shared steps of the auth and authorization flow tests (not a test file itself). */
type App = TestPlatform['app'];

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: string;
}

export const login = (app: App, email: string, password: string, type = 'admin') =>
  app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password, type } });

export const refresh = (app: App, refreshToken: string) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });

/** A request that needs nothing but a valid token: the caller's own sessions. */
export const whoAmI = (app: App, accessToken: string) =>
  app.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: bearer(accessToken) });

export interface CreatedStaff {
  id: string;
  email: string;
  password: string;
}

/** Creates a staff account through the admin API, as an operator would. */
export async function createStaff(
  app: App,
  adminToken: string,
  options: { type?: 'admin' | 'shipper'; roles?: string[]; name?: string } = {},
): Promise<CreatedStaff> {
  const email = `staff-${randomBytes(4).toString('hex')}@test.orderline.local`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/admin/users',
    headers: bearer(adminToken),
    payload: {
      email,
      password,
      name: options.name ?? 'Test Staff',
      type: options.type ?? 'shipper',
      ...(options.roles ? { roles: options.roles } : {}),
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().id, email, password };
}

export async function loginPair(
  app: App,
  email: string,
  password: string,
  type = 'admin',
): Promise<TokenPair> {
  const res = await login(app, email, password, type);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
