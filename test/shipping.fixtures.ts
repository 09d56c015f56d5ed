import type { Response as LightMyRequestResponse } from 'light-my-request';
import { expect } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { signedDelivery } from '../src/platform/security/webhook-signature.js';
import type { TestDatabase, TestPlatform } from './harness.js';
import { DELIVERY_SERVICES, startOrderWorld } from './order.fixtures.js';

/** Shared steps of the shipment tests (not a test file itself). */
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
  return signedDelivery('simcarrier', [options.secret ?? WEBHOOK_SECRETS[0]!], body, options.at ?? new Date())
    .headers;
}

export async function startShippingWorld(
  kind: TestDatabase,
  env: Record<string, string> = {},
): Promise<ShippingWorld> {
  const o = await startOrderWorld(
    kind,
    { SHIPPING_SIMCARRIER_WEBHOOK_SECRETS: WEBHOOK_SECRETS.join(','), ...env },
    DELIVERY_SERVICES,
  );
  const { platform, inject, adminCall, ok } = o;
  const sku = `SHIP-${newId().slice(-6)}`;
  await o.product(sku, '1200', 100_000);

  const world: ShippingWorld = {
    platform,
    admin: o.admin,
    inject,
    adminCall,
    ok,

    async readyOrder(carrier, weights = [900]) {
      const order = await o.confirmedOrder([[sku, 1]], carrier);
      const [f] = await o.fulfillments(order.id, 1);
      await o.readyToShip([f!.id], weights);
      const ready = await ok(o.adminCall('GET', `/admin/fulfillments?orderId=${order.id}`));
      return {
        orderId: order.id,
        token: order.token,
        fulfillmentId: f!.id,
        packageIds: ready.items[0].packages.map((p: { id: string }) => p.id),
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

    sql: (text) => o.sql(text),

    async setOutage(down, failNext = 0) {
      expect(await ok(inject('PUT', '/dev/simcarrier/outage', { down, failNext }))).toEqual({
        down,
        failNext,
      });
    },

    close: () => o.close(),
  };
  return world;
}
