import type { Response as LightMyRequestResponse } from 'light-my-request';
import { expect } from 'vitest';
import { newId } from '../src/platform/ids.js';
import { ADDRESS } from './checkout.fakes.js';
import { customerToken, verifiedCustomer } from './customer.fixtures.js';
import { bearer, type TestDatabase } from './harness.js';
import { card, type OrderWorld, SERVICES, startOrderWorld } from './order.fixtures.js';

/** Shared steps of the promotion tests (not a test file itself). */
// Customers verify their email through the notification service's dev mailbox, as a person would.
export const PROMOTION_SERVICES = [...SERVICES, 'customer', 'notification', 'promotion'];

export interface Shopper {
  /** Headers every cart call sends: the guest token or the customer's bearer. */
  headers: Record<string, string>;
  customerId: string | null;
}

export interface PromoWorld extends OrderWorld {
  /** A fresh priority per promotion, so test promotions never conflict with each other. */
  nextPriority(): number;
  promotion(body: Record<string, unknown>): Promise<{ id: string; code: string | null }>;
  guest(): Shopper;
  customer(): Promise<Shopper>;
  /** A cart of `shopper` with items, address and the first shipping option, plus `codes`. */
  cart(
    shopper: Shopper,
    items: [string, number][],
    codes?: string[],
  ): Promise<{ id: string; headers: Record<string, string> }>;
  checkoutCart(
    cart: { id: string; headers: Record<string, string> },
    payment?: object,
  ): Promise<LightMyRequestResponse>;
  stats(id: string): Promise<{
    uses: number;
    discountGiven: string;
    revenue: string;
    confirmedUses: number;
    releasedUses: number;
  }>;
  counters(id: string): Promise<{ uses: number; discount_used: string }>;
}

export async function startPromoWorld(
  kind: TestDatabase,
  env: Record<string, string> = {},
): Promise<PromoWorld> {
  const w = await startOrderWorld(kind, env, PROMOTION_SERVICES);
  let priority = 0;
  const world: PromoWorld = Object.assign(w, {
    nextPriority: () => ++priority,
    async promotion(body: Record<string, unknown>) {
      const res = await w.adminCall('POST', '/admin/promotions', { priority: ++priority, ...body });
      expect(res.statusCode, res.body).toBe(201);
      return res.json();
    },
    guest: (): Shopper => ({ headers: {}, customerId: null }),
    async customer(): Promise<Shopper> {
      const c = await verifiedCustomer(w.platform.app);
      const { accessToken } = await customerToken(w.platform.app, c);
      return { headers: bearer(accessToken), customerId: c.id };
    },
    async cart(shopper: Shopper, items: [string, number][], codes: string[] = []) {
      const created = await w.inject('POST', '/carts', { currency: 'USD' }, shopper.headers);
      expect(created.statusCode, created.body).toBe(201);
      const { id, cartToken } = created.json();
      const headers = cartToken ? { ...shopper.headers, 'x-cart-token': cartToken } : shopper.headers;
      for (const [sku, quantity] of items)
        expect((await w.inject('POST', `/carts/${id}/items`, { sku, quantity }, headers)).statusCode).toBe(
          200,
        );
      expect((await w.inject('PUT', `/carts/${id}/shipping-address`, ADDRESS, headers)).statusCode).toBe(200);
      const options = await w.inject('GET', `/carts/${id}/shipping-options`, undefined, headers);
      const optionId = options.json().items[0].id;
      expect((await w.inject('PUT', `/carts/${id}/shipping-method`, { optionId }, headers)).statusCode).toBe(
        200,
      );
      for (const code of codes) {
        const r = await w.inject('POST', `/carts/${id}/promotions`, { code }, headers);
        expect(r.statusCode, r.body).toBe(200);
      }
      return { id, headers };
    },
    checkoutCart(cart: { id: string; headers: Record<string, string> }, payment: object = card()) {
      return w.inject(
        'POST',
        '/checkout',
        { cartId: cart.id, payment },
        { ...cart.headers, 'idempotency-key': newId() },
      );
    },
    async stats(id: string) {
      return w.ok(w.adminCall('GET', `/admin/promotions/${id}/stats`));
    },
    async counters(id: string) {
      const [row] = await w.sql<{ uses: number; discount_used: string }>(
        `SELECT uses, discount_used::text FROM promotion.promotions WHERE id = '${id}'`,
      );
      return row!;
    },
  });
  return world;
}
