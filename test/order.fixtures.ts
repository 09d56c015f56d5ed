import { type Kysely, sql } from 'kysely';
import type { Response as LightMyRequestResponse } from 'light-my-request';
import { expect } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { ADDRESS } from './checkout.fakes.js';
import { bearer, loginAs, startTestPlatform, type TestDatabase, type TestPlatform } from './harness.js';

/** Shared steps of the order lifecycle tests (not a test file itself). */
export const API = '/api/v1';
export const SERVICES = ['user', 'auth', 'catalog', 'pricing', 'warehouse', 'shipping', 'payment', 'order'];
/** Jobs run only when a test asks (runNow), so a cron tick never races an assertion. */
const NEVER = '0 0 1 1 *';
export const QUIET_JOBS: Record<string, string> = {
  ORDER_CAPTURE_RETRY_CRON: NEVER,
  ORDER_COD_CONFIRMATION_CRON: NEVER,
  ORDER_CLEANUP_CRON: NEVER,
  ORDER_RESERVATION_CLEANUP_CRON: NEVER,
  ORDER_CART_CLEANUP_CRON: NEVER,
  PAYMENT_SETTLEMENT_CRON: NEVER,
  WAREHOUSE_RESERVATION_EXPIRY_CRON: NEVER,
  ORDER_DELIVERY_CHECK_CRON: NEVER,
  ORDER_COMPLETION_CRON: NEVER,
  ORDER_RETURN_COMPENSATION_CRON: NEVER,
  FULFILLMENT_SLA_BREACH_CRON: NEVER,
  FULFILLMENT_AUTO_COMPLETE_CRON: NEVER,
  SHIPPING_SHIPMENT_RETRY_CRON: NEVER,
  SHIPPING_TRACKING_POLL_CRON: NEVER,
  RATE_LIMIT_ENABLED: 'false',
};
/** Everything an order needs from placement to delivery. */
export const DELIVERY_SERVICES = [...SERVICES, 'fulfillment'];

export interface GuestOrder {
  id: string;
  token: string;
  body: OrderBody;
}

export interface OrderBody {
  id: string;
  status: string;
  paymentStatus: string;
  payment: { id: string; method: string; status: string };
  totals: { total: { amount: string; currency: string } };
  cancellation: { by: string; reason: string | null } | null;
  items: { id: string; sku: string; quantity: number; warehouseId: string }[];
  shipments: { id: string; status: string; carrier: string; trackingNumber: string | null }[];
  deliveredAt: string | null;
}

export interface FulfillmentBody {
  id: string;
  orderId: string;
  warehouseId: string;
  status: string;
  items: { sku: string; quantity: number }[];
  packages: { id: string; status: string; weightGrams: number; lengthMm: number | null }[];
}

export interface OrderWorld {
  platform: TestPlatform;
  admin: Record<string, string>;
  warehouseId: string;
  inject(
    method: string,
    url: string,
    payload?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  adminCall(method: string, url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  /** The JSON body of a 2xx answer (the test fails with the body otherwise). */
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely in tests
  ok(res: Promise<LightMyRequestResponse>): Promise<any>;
  /** Another warehouse at (lat, lng); returns its id. */
  warehouse(code: string, lat: number, lng: number): Promise<string>;
  /** A product priced `amount` USD with `onHand` units in `warehouseId` (default: the world's warehouse). */
  product(sku: string, amount: string, onHand: number, warehouseId?: string): Promise<void>;
  reserved(sku: string): Promise<number>;
  /** `carrier`: take the first shipping option of that carrier (default: the first option). */
  checkout(items: [string, number][], payment: object, carrier?: string): Promise<GuestOrder>;
  read(o: GuestOrder): Promise<OrderBody>;
  waitForOrder(o: GuestOrder, what: string, ok: (b: OrderBody) => boolean): Promise<OrderBody>;
  /** A card order (for `carrier`'s option) placed and confirmed by its capture. */
  confirmedOrder(items: [string, number][], carrier?: string): Promise<GuestOrder>;
  /** Waits until the order has `count` fulfillments and returns them. */
  fulfillments(orderId: string, count: number): Promise<FulfillmentBody[]>;
  /** Staff take fulfillments from pending to ready_to_ship, one package per weight each. */
  readyToShip(fulfillmentIds: string[], weights?: number[]): Promise<void>;
  runJob(service: string, job: string): Promise<void>;
  sql<T = Record<string, unknown>>(text: string): Promise<T[]>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read other schemas
  schema(name: string): Kysely<any>;
  reservationStatus(orderId: string): Promise<string>;
  /** Waits for the payment service to queue the cancelled order's settlement, then runs the job. */
  settle(orderId: string): Promise<void>;
  close(): Promise<void>;
}

export async function startOrderWorld(
  kind: TestDatabase,
  env: Record<string, string> = {},
  services: readonly string[] = SERVICES,
): Promise<OrderWorld> {
  const platform = await startTestPlatform(kind, { services: [...services], env: { ...QUIET_JOBS, ...env } });
  const admin = bearer((await loginAs(platform.app)).accessToken);
  const inject: OrderWorld['inject'] = (method, url, payload, headers = {}) =>
    platform.app.inject({
      method: method as 'GET',
      url: `${API}${url}`,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const adminCall: OrderWorld['adminCall'] = (method, url, payload) => inject(method, url, payload, admin);
  const ok = async (res: Promise<LightMyRequestResponse>) => {
    const r = await res;
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  };
  const warehouse: OrderWorld['warehouse'] = async (code, lat, lng) =>
    (
      await ok(
        adminCall('POST', '/admin/warehouses', {
          code: `${code}${newId().slice(-6)}`,
          name: code,
          capacityPerDay: 100_000,
          address: { line1: '1 Dock Rd', city: 'Oakland', postalCode: '94607', country: 'US' },
          location: { lat, lng },
        }),
      )
    ).id;
  const warehouseId = await warehouse('W', 37.8, -122.3);
  const world: OrderWorld = {
    platform,
    admin,
    warehouseId,
    inject,
    adminCall,
    ok,
    warehouse,
    async product(sku, amount, onHand, at = warehouseId) {
      await ok(
        adminCall('POST', '/admin/products', {
          sku,
          name: `Product ${sku}`,
          attributes: { weightGrams: 200 },
        }),
      );
      await ok(adminCall('PUT', `/admin/prices/${sku}`, { amount, currency: 'USD' }));
      await ok(adminCall('PUT', `/admin/inventory/${at}/${sku}`, { onHand }));
    },
    async confirmedOrder(items, carrier) {
      const o = await world.checkout(items, card(), carrier);
      await world.waitForOrder(o, 'confirmed', (b) => b.status === 'confirmed');
      return o;
    },
    async fulfillments(orderId, count) {
      let list: FulfillmentBody[] = [];
      await waitFor(
        async () => {
          list = (await ok(adminCall('GET', `/admin/fulfillments?orderId=${orderId}`))).items;
          return list.length === count;
        },
        `${count} fulfillment(s) of ${orderId}`,
        10_000,
      );
      return list;
    },
    async readyToShip(fulfillmentIds, weights = [700]) {
      await ok(adminCall('POST', '/admin/picklists', { fulfillmentIds }));
      for (const id of fulfillmentIds) {
        await ok(adminCall('POST', `/admin/fulfillments/${id}/pick`));
        await ok(
          adminCall('POST', `/admin/fulfillments/${id}/pack`, {
            packages: weights.map((weightGrams) => ({ weightGrams })),
          }),
        );
        expect((await ok(adminCall('POST', `/admin/fulfillments/${id}/ready`))).status).toBe('ready_to_ship');
      }
    },
    async reserved(sku) {
      const inv = await ok(adminCall('GET', `/admin/inventory/${sku}`));
      return inv.items.reduce((n: number, i: { reserved: number }) => n + i.reserved, 0);
    },
    async checkout(items, payment, carrier) {
      const created = await inject('POST', '/carts', { currency: 'USD' });
      expect(created.statusCode, created.body).toBe(201);
      const { id, cartToken: token } = created.json();
      const h = { 'x-cart-token': token };
      for (const [sku, quantity] of items)
        expect((await inject('POST', `/carts/${id}/items`, { sku, quantity }, h)).statusCode).toBe(200);
      expect((await inject('PUT', `/carts/${id}/shipping-address`, ADDRESS, h)).statusCode).toBe(200);
      const options = await inject('GET', `/carts/${id}/shipping-options`, undefined, h);
      const offered: { id: string; carrier: string }[] = options.json().items;
      const optionId = (carrier ? offered.find((o) => o.carrier === carrier) : offered[0])!.id;
      expect((await inject('PUT', `/carts/${id}/shipping-method`, { optionId }, h)).statusCode).toBe(200);
      const res = await inject(
        'POST',
        '/checkout',
        { cartId: id, payment },
        { ...h, 'idempotency-key': newId() },
      );
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json<OrderBody>();
      return { id: body.id, token, body };
    },
    async read(o) {
      const res = await inject('GET', `/orders/${o.id}`, undefined, { 'x-cart-token': o.token });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<OrderBody>();
    },
    async waitForOrder(o, what, done) {
      let last: OrderBody | undefined;
      await waitFor(
        async () => {
          last = await world.read(o);
          return done(last);
        },
        `order ${what}`,
        10_000,
      );
      return last!;
    },
    async runJob(service, job) {
      const outcome = await platform.orderline.eventing.scheduler(service)!.runNow(job);
      expect(outcome).toMatchObject({ ran: true, status: 'succeeded' });
    },
    async sql<T>(text: string) {
      const { rows } = await sql.raw<T>(text).execute(platform.orderline.database.root);
      return rows;
    },
    schema: (name) => platform.orderline.database.root.withSchema(name),
    async reservationStatus(orderId) {
      const rows = await world.sql<{ status: string }>(
        `SELECT status FROM warehouse.reservations WHERE order_id = '${orderId}'`,
      );
      return rows[0]!.status;
    },
    async settle(orderId) {
      await waitFor(
        async () =>
          (await world.sql(`SELECT 1 FROM payment.order_settlements WHERE order_id = '${orderId}'`)).length >
          0,
        'settlement queued',
        10_000,
      );
      await world.runJob('payment', 'order-settlement');
    },
    close: () => platform.close(),
  };
  return world;
}

/** Topics and sequences of the order's own outbox, in publication order. */
export async function orderEvents(world: OrderWorld, orderId: string) {
  const rows = await world
    .schema('order')
    .selectFrom('outbox')
    .select(['topic', 'envelope'])
    .where('key', '=', orderId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(
    (r: {
      topic: string;
      envelope: { data: { newStatus?: string; sequence?: number; reason?: string } };
    }) => ({
      topic: r.topic,
      newStatus: r.envelope.data.newStatus,
      sequence: r.envelope.data.sequence,
      reason: r.envelope.data.reason,
    }),
  );
}

export const card = (token = 'tok_visa') => ({ method: 'card', token });
export const cod = { method: 'cod' };
export const transfer = { method: 'bank_transfer' };
