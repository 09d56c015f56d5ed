import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { bearer, type TestPlatform } from './harness.js';

/** Shared steps of the customer and notification flow tests (not a test file itself). */
type App = TestPlatform['app'];

export const SERVICES = ['user', 'customer', 'notification', 'auth'];
/** These tests exercise account rules, not the gateway's per-IP credential budget (tested in the gateway). */
export const TEST_ENV = { RATE_LIMIT_ENABLED: 'false' };

export interface Customer {
  id: string;
  email: string;
  password: string;
}

/** A default address in Germany: what puts a customer in a country segment (rules `countries: ['DE']`). */
export const GERMAN_ADDRESS = {
  firstName: 'Ada',
  lastName: 'L',
  line1: 'Hauptstr. 1',
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
  isDefault: true,
};

export const uniqueEmail = (prefix = 'shopper') =>
  `${prefix}-${randomBytes(5).toString('hex')}@test.orderline.local`;

export const registerCustomer = (app: App, body: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/v1/customers/register', payload: body });

export const customerLogin = (app: App, email: string, password: string) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password, type: 'customer' } });

export async function mailbox(
  app: App,
  to: string,
): Promise<{ to: string; subject: string; text: string; html?: string }[]> {
  const res = await app.inject({ method: 'GET', url: `/api/v1/dev/mailbox?to=${encodeURIComponent(to)}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
}

/** Waits for the newest message with `subject` to `to` and returns the one-time token in it. */
export async function tokenFromMail(app: App, to: string, subject: string, count = 1): Promise<string> {
  let token: string | undefined;
  await waitFor(async () => {
    const mails = (await mailbox(app, to)).filter((m) => m.subject === subject);
    if (mails.length < count) return false;
    token = /token=([A-Za-z0-9_-]{43})/.exec(mails.at(-1)!.text)?.[1];
    return token !== undefined;
  }, `email "${subject}" to ${to}`);
  return token!;
}

/** Registers a customer (unverified). */
export async function registered(
  app: App,
  overrides: Partial<Record<string, string>> = {},
): Promise<Customer> {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? `pw-${randomBytes(10).toString('hex')}`;
  const res = await registerCustomer(app, {
    email,
    password,
    firstName: 'Ada',
    lastName: 'Lovelace',
    ...overrides,
  });
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().id, email: email.toLowerCase(), password };
}

/** Registers and verifies through the mailbox, as a person would. */
export async function verifiedCustomer(app: App): Promise<Customer> {
  const customer = await registered(app);
  const token = await tokenFromMail(app, customer.email, 'Confirm your email address');
  const res = await app.inject({ method: 'POST', url: '/api/v1/customers/verify-email', payload: { token } });
  expect(res.statusCode, res.body).toBe(200);
  return customer;
}

export async function customerToken(
  app: App,
  c: Customer,
): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await customerLogin(app, c.email, c.password);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

export const me = (app: App, token: string) =>
  app.inject({ method: 'GET', url: '/api/v1/customers/me', headers: bearer(token) });
