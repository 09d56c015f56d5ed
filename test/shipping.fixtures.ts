import { sql } from 'kysely';
import type { Response as LightMyRequestResponse } from 'light-my-request';
import { expect } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { SIGNATURE_HEADER, signWebhook } from '../src/platform/security/webhook-signature.js';
import { ADDRESS } from './checkout.fakes.js';
import { bearer, loginAs, startTestPlatform, type TestDatabase, type TestPlatform } from './harness.js';
import { API, card, QUIET_JOBS, SERVICES } from './order.fixtures.js';

/** Shared steps of the shipment tests (not a test file itself). */
const NEVER = '0 0 1 1 *';
export const WEBHOOK_SECRETS = ['whsec_shipping_test_current', 'whsec_shipping_test_previous'];

export interface Shipment {
  id: string;
  orderId: string;
  fulfillmentId: string | null;
  packageId: string | null;
  carrier: string;
  trackingNumber: string | null;
  status: string;
  version: number;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  deliveredAt: string | null;
  carrierCancel: { state: string; attempts: number; lastError: string | null } | null;
  events: { status: string; note: string | null; source: string; occurredAt: string }[];
}

export interface ShippingEvent {
  topic: string;
  key: string;
  data: Record<string, unknown>;
}

export interface ReadyOrder {
  orderId: string;
  token: string;
  fulfillmentId: string;
  packageIds: string[];
}

export interface ShippingWorld {
  platform: TestPlatform;
  admin: Record<string, string>;
  inject(
    method: string,
    url: string,
    payload?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  adminCall(method: string, url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely in tests
  ok(res: Promise<LightMyRequestResponse>): Promise<any>;
  /** A card order for `carrier`'s option, confirmed, picked, packed into `weights` and ready to ship. */
  readyOrder(carrier: 'simcarrier' | 'manual', weights?: number[]): Promise<ReadyOrder>;
  shipments(orderId: string): Promise<Shipment[]>;
  waitShipments(orderId: string, what: string, done: (s: Shipment[]) => boolean): Promise<Shipment[]>;
  /** Shipping's published events, oldest first. */
  published(where: string): Promise<ShippingEvent[]>;
  runJob(job: string): Promise<number>;
  sql<T = Record<string, unknown>>(text: string): Promise<T[]>;
  setOutage(down: boolean, failNext?: number): Promise<void>;
  close(): Promise<void>;
}

/** Signs a body as simcarrier does (first secret by default), at `at` (default now). */
export function signed(body: string, options: { secret?: string; at?: Date } = {}): Record<string, string> {
  const at = Math.floor((options.at ?? new Date()).getTime() / 1000);
  return {
    'content-type': 'application/json',
    [SIGNATURE_HEADER]: signWebhook(body, options.secret ?? WEBHOOK_SECRETS[0]!, at),
  };
}

export async function startShippingWorld(
  kind: TestDatabase,
  env: Record<string, string> = {},
): Promise<ShippingWorld> {
  const platform = await startTestPlatform(kind, {
    services: [...SERVICES, 'fulfillment'],
    env: {
      ...QUIET_JOBS,
      FULFILLMENT_SLA_BREACH_CRON: NEVER,
      FULFILLMENT_AUTO_COMPLETE_CRON: NEVER,
      ORDER_COMPLETION_CRON: NEVER,
      ORDER_RETURN_COMPENSATION_CRON: NEVER,
      SHIPPING_SHIPMENT_RETRY_CRON: NEVER,
      SHIPPING_TRACKING_POLL_CRON: NEVER,
      SHIPPING_SIMCARRIER_WEBHOOK_SECRETS: WEBHOOK_SECRETS.join(','),
      ...env,
    },
  });
  const admin = bearer((await loginAs(platform.app)).accessToken);
  const inject: ShippingWorld['inject'] = (method, url, payload, headers = {}) =>
    platform.app.inject({
      method: method as 'GET',
      url: `${API}${url}`,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const adminCall: ShippingWorld['adminCall'] = (method, url, payload) => inject(method, url, payload, admin);
  const ok = async (res: Promise<LightMyRequestResponse>) => {
    const r = await res;
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  };

  const warehouse = await ok(
    adminCall('POST', '/admin/warehouses', {
      code: `S${newId().slice(-6)}`,
      name: 'Ship',
      capacityPerDay: 100_000,
      address: { line1: '1 Dock Rd', city: 'Oakland', postalCode: '94607', country: 'US' },
      location: { lat: 37.8, lng: -122.3 },
    }),
  );
  const sku = `SHIP-${newId().slice(-6)}`;
  await ok(adminCall('POST', '/admin/products', { sku, name: sku, attributes: { weightGrams: 200 } }));
  await ok(adminCall('PUT', `/admin/prices/${sku}`, { amount: '1200', currency: 'USD' }));
  await ok(adminCall('PUT', `/admin/inventory/${warehouse.id}/${sku}`, { onHand: 100_000 }));

  const world: ShippingWorld = {
    platform,
    admin,
    inject,
    adminCall,
    ok,

    async readyOrder(carrier, weights = [900]) {
      const created = await ok(inject('POST', '/carts', { currency: 'USD' }));
      const h = { 'x-cart-token': created.cartToken as string };
      const cart = created.id as string;
      await ok(inject('POST', `/carts/${cart}/items`, { sku, quantity: 1 }, h));
      await ok(inject('PUT', `/carts/${cart}/shipping-address`, ADDRESS, h));
      const options = (await ok(inject('GET', `/carts/${cart}/shipping-options`, undefined, h))).items;
      const option = options.find((o: { carrier: string }) => o.carrier === carrier);
      await ok(inject('PUT', `/carts/${cart}/shipping-method`, { optionId: option.id }, h));
      const placed = await inject(
        'POST',
        '/checkout',
        { cartId: cart, payment: card() },
        { ...h, 'idempotency-key': newId() },
      );
      expect(placed.statusCode, placed.body).toBe(201);
      const orderId = placed.json().id as string;
      let fulfillmentId = '';
      await waitFor(
        async () => {
          const list = (await ok(adminCall('GET', `/admin/fulfillments?orderId=${orderId}`))).items;
          fulfillmentId = list[0]?.id ?? '';
          return fulfillmentId !== '';
        },
        'fulfillment created',
        10_000,
      );
      await ok(adminCall('POST', '/admin/picklists', { fulfillmentIds: [fulfillmentId] }));
      await ok(adminCall('POST', `/admin/fulfillments/${fulfillmentId}/pick`));
      await ok(
        adminCall('POST', `/admin/fulfillments/${fulfillmentId}/pack`, {
          packages: weights.map((weightGrams) => ({ weightGrams })),
        }),
      );
      const ready = await ok(adminCall('POST', `/admin/fulfillments/${fulfillmentId}/ready`));
      return {
        orderId,
        token: h['x-cart-token'],
        fulfillmentId,
        packageIds: ready.packages.map((p: { id: string }) => p.id),
      };
    },

    async shipments(orderId) {
      const page = await ok(adminCall('GET', `/admin/shipments?orderId=${orderId}`));
      return (page.items as Shipment[]).sort((a, b) => a.id.localeCompare(b.id));
    },

    async waitShipments(orderId, what, done) {
      let last: Shipment[] = [];
      try {
        await waitFor(
          async () => {
            last = await world.shipments(orderId);
            return done(last);
          },
          what,
          10_000,
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(last)}`);
      }
      return last;
    },

    async published(where) {
      const rows = await world.sql<{ topic: string; key: string; envelope: EventEnvelope }>(
        `SELECT topic, key, envelope FROM shipping.outbox WHERE ${where} ORDER BY created_at, id`,
      );
      return rows.map((r) => ({
        topic: r.topic,
        key: r.key,
        data: r.envelope.data as Record<string, unknown>,
      }));
    },

    async runJob(job) {
      const outcome = await platform.orderline.eventing.scheduler('shipping')!.runNow(job);
      expect(outcome).toMatchObject({ ran: true, status: 'succeeded' });
      return outcome.ran ? outcome.items : 0;
    },

    async sql<T>(text: string) {
      return (await sql.raw<T>(text).execute(platform.orderline.database.root)).rows;
    },

    async setOutage(down, failNext = 0) {
      expect(await ok(inject('PUT', '/dev/simcarrier/outage', { down, failNext }))).toEqual({
        down,
        failNext,
      });
    },

    close: () => platform.close(),
  };
  return world;
}
