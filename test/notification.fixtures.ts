import { expect } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { ADDRESS } from './checkout.fakes.js';
import { type Customer, customerToken, mailbox, verifiedCustomer } from './customer.fixtures.js';
import { bearer, type TestDatabase } from './harness.js';
import { DELIVERY_SERVICES, type OrderBody, type OrderWorld, startOrderWorld } from './order.fixtures.js';

/** Shared steps of the notification flow tests (not a test file itself). */
export const NOTIFICATION_SERVICES = [...DELIVERY_SERVICES, 'customer', 'notification'];
export const OPERATOR = 'ops-desk@test.orderline.local';
const NEVER = '0 0 1 1 *';

export interface Shopper extends Customer {
  headers: Record<string, string>;
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export async function startNotificationWorld(kind: TestDatabase, env: Record<string, string> = {}) {
  return startOrderWorld(
    kind,
    {
      NOTIFICATION_OPERATOR_EMAILS: OPERATOR,
      NOTIFICATION_TRACKING_URLS: 'simcarrier=https://track.sim.test/p/{tracking}',
      NOTIFICATION_RETRY_CRON: NEVER,
      NOTIFICATION_OPS_WATCH_CRON: NEVER,
      CUSTOMER_STOREFRONT_URL: 'https://shop.test',
      SHIPPING_CARRIER_MAX_ATTEMPTS: '2',
      SHIPPING_CARRIER_RETRY_BASE_MS: '1',
      SHIPPING_CARRIER_RETRY_MAX_MS: '1',
      ...env,
    },
    NOTIFICATION_SERVICES,
  );
}

/** A verified, signed-in customer with the given preferences and consents. */
export async function shopper(
  w: OrderWorld,
  choices: { language?: string | null; reviewRequests?: boolean; marketingConsent?: boolean } = {},
): Promise<Shopper> {
  const c = await verifiedCustomer(w.platform.app);
  const headers = bearer((await customerToken(w.platform.app, c)).accessToken);
  const res = await w.inject(
    'PUT',
    '/customers/me/preferences',
    {
      preferences: {
        language: choices.language ?? null,
        productReviewRequests: choices.reviewRequests ?? false,
      },
      consents: { marketing: choices.marketingConsent ?? false },
    },
    headers,
  );
  expect(res.statusCode, res.body).toBe(200);
  return { ...c, headers };
}

/** A signed-in customer's card checkout (first option of `carrier`). */
export async function customerCheckout(
  w: OrderWorld,
  s: Shopper,
  items: [string, number][],
  carrier = 'simcarrier',
  token = 'tok_visa',
): Promise<OrderBody> {
  const h = s.headers;
  const created = await w.inject('POST', '/carts', { currency: 'USD' }, h);
  expect(created.statusCode, created.body).toBe(201);
  const { id } = created.json();
  for (const [sku, quantity] of items)
    expect((await w.inject('POST', `/carts/${id}/items`, { sku, quantity }, h)).statusCode).toBe(200);
  expect((await w.inject('PUT', `/carts/${id}/shipping-address`, ADDRESS, h)).statusCode).toBe(200);
  const offered: { id: string; carrier: string }[] = (
    await w.inject('GET', `/carts/${id}/shipping-options`, undefined, h)
  ).json().items;
  const optionId = offered.find((o) => o.carrier === carrier)!.id;
  expect((await w.inject('PUT', `/carts/${id}/shipping-method`, { optionId }, h)).statusCode).toBe(200);
  const res = await w.inject(
    'POST',
    '/checkout',
    { cartId: id, payment: { method: 'card', token } },
    { ...h, 'idempotency-key': newId() },
  );
  expect(res.statusCode, res.body).toBe(201);
  return res.json<OrderBody>();
}

export async function readOrder(w: OrderWorld, s: Shopper, orderId: string): Promise<OrderBody> {
  const res = await w.inject('GET', `/orders/${orderId}`, undefined, s.headers);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<OrderBody>();
}

export async function waitForStatus(w: OrderWorld, s: Shopper, orderId: string, status: string) {
  let last: OrderBody | undefined;
  await waitFor(
    async () => {
      last = await readOrder(w, s, orderId);
      return last.status === status;
    },
    `order ${status}`,
    15_000,
  );
  return last!;
}

/** Waits for a mail whose subject matches, and returns every mail so matching (one expected). */
export async function mailsMatching(w: OrderWorld, to: string, subject: RegExp, count = 1): Promise<Mail[]> {
  let found: Mail[] = [];
  await waitFor(
    async () => {
      found = (await mailbox(w.platform.app, to)).filter((m) => subject.test(m.subject));
      return found.length >= count;
    },
    `mail ${subject} to ${to}`,
    15_000,
  );
  return found;
}

/** The carrier scans the parcel and sends its signed webhook, as simcarrier does. */
export async function scan(w: OrderWorld, trackingNumber: string, status: string): Promise<void> {
  const delivery: { headers: Record<string, string>; body: string } = await w.ok(
    w.inject('POST', `/dev/simcarrier/parcels/${trackingNumber}/scan`, { status }),
  );
  const res = await w.platform.app.inject({
    method: 'POST',
    url: '/api/v1/shipping/webhooks/simcarrier',
    headers: { ...delivery.headers, 'content-type': 'application/json' },
    payload: delivery.body,
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
}

/** Takes a confirmed order of `s` through fulfillment and the carrier to `delivered`. */
export async function deliverOrder(w: OrderWorld, s: Shopper, orderId: string): Promise<OrderBody> {
  await waitForStatus(w, s, orderId, 'confirmed');
  const [f] = await w.fulfillments(orderId, 1);
  await w.readyToShip([f!.id]);
  let tracking: string | undefined;
  await waitFor(
    async () => {
      const res = await w.inject('GET', `/orders/${orderId}/tracking`, undefined, s.headers);
      const shipments: { status: string; trackingNumber: string | null }[] = res.json().shipments ?? [];
      tracking = shipments.find((x) => x.status === 'label_created')?.trackingNumber ?? undefined;
      return Boolean(tracking);
    },
    'shipment booked',
    15_000,
  );
  await scan(w, tracking!, 'in_transit');
  await waitForStatus(w, s, orderId, 'shipped');
  await scan(w, tracking!, 'delivered');
  return waitForStatus(w, s, orderId, 'delivered');
}

/** Messages rows of the notification schema (tests read it to check one row per fact). */
export const messageRows = (w: OrderWorld) => w.schema('notification').selectFrom('messages');
