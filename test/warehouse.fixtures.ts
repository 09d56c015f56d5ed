import type { Response as LightMyRequestResponse } from 'light-my-request';
import { expect } from 'vitest';
import type { EventEnvelope, Topic } from '../src/contracts/index.js';
import { systemCtx } from '../src/platform/context.js';
import type { WarehouseClient } from '../src/services/warehouse/contract/client.js';
import { bearer, loginAs, startTestPlatform, type TestDatabase, type TestPlatform } from './harness.js';

/** Shared steps of the warehouse flow tests (not a test file itself). */
export interface WarehouseWorld {
  platform: TestPlatform;
  token: string;
  client: WarehouseClient;
  ctx: ReturnType<typeof systemCtx>;
  /** Events of the given topics as the bus delivered them. */
  received: EventEnvelope[];
  call(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse>;
  product(sku: string): Promise<void>;
  warehouse(
    code: string,
    location: { lat: number; lng: number },
    capacityPerDay?: number,
    country?: string,
  ): Promise<string>;
  setStock(warehouseId: string, sku: string, onHand: number): Promise<void>;
  sql<T = Record<string, unknown>>(text: string): Promise<T[]>;
  close(): Promise<void>;
}

export const WAREHOUSE_TOPICS: Topic[] = [
  'warehouse.inventory.reservation_expired',
  'warehouse.stock.low',
  'warehouse.stock.reconciled',
];

export async function startWarehouseWorld(
  kind: TestDatabase,
  env: Record<string, string> = {},
): Promise<WarehouseWorld> {
  const platform = await startTestPlatform(kind, { services: ['user', 'auth', 'catalog', 'warehouse'], env });
  const token = (await loginAs(platform.app)).accessToken;
  const received: EventEnvelope[] = [];
  await platform.orderline.eventing.bus().subscribe(
    `test.warehouse-${Math.random().toString(36).slice(2)}`,
    WAREHOUSE_TOPICS,
    async (delivery) => {
      received.push(delivery.envelope as EventEnvelope);
      return { kind: 'ack' };
    },
    { concurrency: 1, ackWaitMs: 30_000 },
  );
  const call: WarehouseWorld['call'] = (method, url, payload) =>
    platform.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: bearer(token),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  return {
    platform,
    token,
    client: platform.orderline.clients.warehouse!,
    ctx: systemCtx(platform.orderline.logger, 'warehouse-test'),
    received,
    call,
    async product(sku) {
      const res = await call('POST', '/admin/products', { sku, name: `Product ${sku}` });
      expect(res.statusCode, res.body).toBe(201);
    },
    async warehouse(code, location, capacityPerDay = 1000, country = 'DE') {
      const res = await call('POST', '/admin/warehouses', {
        code,
        name: `Warehouse ${code}`,
        capacityPerDay,
        address: { line1: '1 Dock Road', city: 'Somewhere', postalCode: '10115', country },
        location,
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    },
    async setStock(warehouseId, sku, onHand) {
      const res = await call('PUT', `/admin/inventory/${warehouseId}/${sku}`, { onHand });
      expect(res.statusCode, res.body).toBe(200);
    },
    async sql<T>(text: string) {
      const { rows } = await (await import('kysely')).sql
        .raw<T>(text)
        .execute(platform.orderline.database.root);
      return rows;
    },
    close: () => platform.close(),
  };
}

/** Coordinates used across the tests: Berlin and Madrid, and ship-to points near each. */
export const BERLIN = { lat: 52.52, lng: 13.405 };
export const MADRID = { lat: 40.4168, lng: -3.7038 };
export const NEAR_BERLIN = { lat: 52.4, lng: 13.1 };
