import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect } from 'vitest';
import { ManualClock } from '../src/platform/clock.js';
import { loadConfig } from '../src/platform/config/config.js';
import { createDatabase, type Database } from '../src/platform/db/database.js';
import { migrateSchema, readMigrations } from '../src/platform/db/migrations.js';
import { AppError } from '../src/platform/errors/app-error.js';
import { platformMigrations } from '../src/platform/eventing/index.js';
import { buildHttpApp } from '../src/platform/http/app.js';
import type { HttpApp } from '../src/platform/http/types.js';
import { newId } from '../src/platform/ids.js';
import { createLogger } from '../src/platform/logging/logger.js';
import type { ServiceModule } from '../src/platform/module.js';
import { add, type Money, money, multiply, percentageBps, zero } from '../src/platform/money.js';
import { createMetrics } from '../src/platform/observability/metrics.js';
import type { Product } from '../src/services/catalog/contract/client.js';
import { registerGateway } from '../src/services/gateway/gateway.js';
import type {
  CatalogPort,
  PaymentPort,
  PricingPort,
  ShippingPort,
  WarehousePort,
} from '../src/services/order/app/deps.js';
import type { OrderClient } from '../src/services/order/contract/client.js';
import type { OrderDB } from '../src/services/order/data/tables.js';
import { createOrderModule } from '../src/services/order/module.js';
import type { PaymentView } from '../src/services/payment/contract/client.js';
import type { ShippingOption } from '../src/services/shipping/contract/client.js';
import type { Allocation, ReservationStatus } from '../src/services/warehouse/contract/client.js';
import { createPostgresDatabase, type TestDatabase } from './databases.js';

/** A valid US shipping address for tests. */
export const ADDRESS = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  line1: '1 Main St',
  city: 'San Francisco',
  region: 'CA',
  postalCode: '94103',
  country: 'US',
  phone: '+14155550123',
};

/**
 * In-memory test doubles of the ports the order service calls (catalog, pricing, warehouse,
 * shipping, payment), used only by tests to drive the cart and the checkout saga through HTTP
 * without the real services. They keep the contracts' semantics (idempotent reserve per
 * reference, idempotent void per key, all-or-nothing reservation) and count calls so tests can
 * assert batching (OR-P1-06) and that nothing is left behind.
 */
export class FakeCatalog implements CatalogPort {
  products = new Map<string, Product>();
  calls = 0;
  add(sku: string, attributes: Product['attributes'] = {}, status: Product['status'] = 'active'): Product {
    const now = new Date().toISOString();
    const p: Product = {
      id: newId(),
      sku,
      name: `Product ${sku}`,
      description: null,
      category: null,
      attributes,
      status,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    this.products.set(sku, p);
    return p;
  }
  async getProductsBySku(skus: readonly string[]) {
    this.calls++;
    return skus.flatMap((s) => this.products.get(s.trim().toUpperCase()) ?? []);
  }
}

export class FakePricing implements PricingPort {
  prices = new Map<string, Money>(); // key `${sku}:${currency}`
  taxBps = new Map<string, number>();
  quoteCalls = 0;
  taxCalls = 0;
  set(sku: string, amount: bigint, currency = 'USD') {
    this.prices.set(`${sku}:${currency}`, money(amount, currency));
  }
  async quote(items: readonly { sku: string; quantity: number }[], currency: string) {
    this.quoteCalls++;
    const lines = [];
    const missing: string[] = [];
    let subtotal = zero(currency);
    for (const i of items) {
      const unit = this.prices.get(`${i.sku}:${currency}`);
      if (!unit) {
        missing.push(i.sku);
        continue;
      }
      const lineTotal = multiply(unit, i.quantity);
      subtotal = add(subtotal, lineTotal);
      lines.push({ sku: i.sku, quantity: i.quantity, unitPrice: unit, lineTotal });
    }
    return { currency, lines, subtotal, missing };
  }
  async unitPrices(skus: readonly string[], currency: string) {
    return new Map(
      skus.flatMap((s) =>
        this.prices.has(`${s}:${currency}`) ? [[s, this.prices.get(`${s}:${currency}`)!] as const] : [],
      ),
    );
  }
  async tax(country: string, taxable: Money) {
    this.taxCalls++;
    const rateBps = this.taxBps.get(country) ?? 0;
    return { rateBps, amount: percentageBps(taxable, rateBps) };
  }
}

interface FakeReservation {
  id: string;
  reference: string;
  status: ReservationStatus;
  allocations: Allocation[];
}

export class FakeWarehouse implements WarehousePort {
  /** Available units per warehouse and sku, in preference order of warehouses. */
  stock = new Map<string, Map<string, number>>();
  reservations = new Map<string, FakeReservation>();
  releaseFails = false;
  reserveCalls = 0;
  put(warehouseId: string, sku: string, units: number) {
    if (!this.stock.has(warehouseId)) this.stock.set(warehouseId, new Map());
    this.stock.get(warehouseId)!.set(sku, units);
  }
  available(sku: string) {
    let n = 0;
    for (const w of this.stock.values()) n += w.get(sku) ?? 0;
    return n;
  }
  active() {
    return [...this.reservations.values()].filter((r) => r.status === 'active');
  }
  async reserve(_ctx: unknown, req: Parameters<WarehousePort['reserve']>[1]) {
    this.reserveCalls++;
    const existing = [...this.reservations.values()].find((r) => r.reference === req.reference);
    if (existing)
      return {
        ok: true as const,
        reservationId: existing.id,
        expiresAt: new Date().toISOString(),
        allocations: existing.allocations,
      };
    const unavailable = req.items
      .filter((i) => this.available(i.sku) < i.quantity)
      .map((i) => ({ sku: i.sku, requested: i.quantity, available: this.available(i.sku) }));
    if (unavailable.length > 0) return { ok: false as const, reason: 'out_of_stock' as const, unavailable };
    const allocations: Allocation[] = [];
    for (const i of req.items) {
      let left = i.quantity;
      for (const [warehouseId, skus] of this.stock) {
        const take = Math.min(left, skus.get(i.sku) ?? 0);
        if (take === 0) continue;
        skus.set(i.sku, (skus.get(i.sku) ?? 0) - take);
        allocations.push({ sku: i.sku, warehouseId, quantity: take });
        left -= take;
      }
    }
    const r: FakeReservation = { id: newId(), reference: req.reference, status: 'active', allocations };
    this.reservations.set(r.id, r);
    return { ok: true as const, reservationId: r.id, expiresAt: new Date().toISOString(), allocations };
  }
  /** Returns put units back where they shipped from, once per reference (the port's contract). */
  restocked = new Set<string>();
  async restock(_ctx: unknown, req: Parameters<WarehousePort['restock']>[1]) {
    if (this.restocked.has(req.reference)) return;
    this.restocked.add(req.reference);
    for (const i of req.items)
      this.put(i.warehouseId, i.sku, (this.stock.get(i.warehouseId)?.get(i.sku) ?? 0) + i.quantity);
  }
  async release(_ctx: unknown, id: string) {
    if (this.releaseFails)
      throw new AppError('unavailable', 'warehouse_unavailable', 'release failed (test)');
    const r = this.reservations.get(id);
    if (r?.status !== 'active') return;
    r.status = 'released';
    for (const a of r.allocations)
      this.put(a.warehouseId, a.sku, (this.stock.get(a.warehouseId)?.get(a.sku) ?? 0) + a.quantity);
  }
}

export class FakeShipping implements ShippingPort {
  calls = 0;
  private all(currency: string, weightGrams: number): ShippingOption[] {
    return [
      {
        id: 'std',
        name: 'Standard',
        carrier: 'simcarrier',
        price: money(500n + BigInt(weightGrams), currency),
        estimatedDays: { min: 3, max: 5 },
      },
      {
        id: 'exp',
        name: 'Express',
        carrier: 'simcarrier',
        price: money(1500n, currency),
        estimatedDays: { min: 1, max: 2 },
      },
    ];
  }
  async options(req: Parameters<ShippingPort['options']>[0]) {
    this.calls++;
    return this.all(req.currency, req.weightGrams);
  }
  async quote(optionId: string, req: Parameters<ShippingPort['quote']>[1]) {
    this.calls++;
    return this.all(req.currency, req.weightGrams).find((o) => o.id === optionId);
  }
  /** Checkout tests never get as far as shipments. */
  async shipmentsForOrder() {
    return [];
  }
}

export class FakePayment implements PaymentPort {
  payments = new Map<string, PaymentView & { key: string }>();
  circuitOpen = false;
  voidFails = false;
  authorizeCalls = 0;
  /** When set, authorize records the payment and then waits for it (a slow or crashed process). */
  holdUntil: Promise<void> | undefined;
  held = 0;
  async authorize(_ctx: unknown, req: Parameters<PaymentPort['authorize']>[1]) {
    this.authorizeCalls++;
    if (this.circuitOpen)
      throw new AppError('unavailable', 'payment_unavailable', 'circuit open (test)', {
        extra: { retryAfter: 7 },
      });
    const existing = [...this.payments.values()].find((p) => p.key === req.idempotencyKey);
    if (existing)
      return existing.status === 'failed'
        ? { ok: false as const, reason: 'declined' as const, paymentId: existing.id, detail: 'card declined' }
        : {
            ok: true as const,
            paymentId: existing.id,
            status: existing.status as 'authorized' | 'pending',
            provider: existing.provider,
          };
    const status = req.method !== 'card' ? 'pending' : req.token === 'tok_declined' ? 'failed' : 'authorized';
    const p = {
      id: newId(),
      key: req.idempotencyKey,
      orderId: req.orderId,
      provider: req.method === 'card' ? 'testpay' : req.method,
      method: req.method,
      status: status as PaymentView['status'],
      amount: req.amount,
      capturedAmount: zero(req.amount.currency),
      refundedAmount: zero(req.amount.currency),
    };
    this.payments.set(p.id, p);
    if (this.holdUntil) {
      this.held++;
      await this.holdUntil;
    }
    // tok_timeout: the provider authorized but the answer never came back.
    if (req.token === 'tok_timeout')
      throw new AppError('unavailable', 'payment_unavailable', 'provider timed out (test)');
    if (status === 'failed')
      return { ok: false as const, reason: 'declined' as const, paymentId: p.id, detail: 'card declined' };
    return {
      ok: true as const,
      paymentId: p.id,
      status: status as 'authorized' | 'pending',
      provider: p.provider,
    };
  }
  async void(_ctx: unknown, paymentId: string) {
    if (this.voidFails) throw new AppError('unavailable', 'payment_unavailable', 'void failed (test)');
    const p = this.payments.get(paymentId);
    if (p && (p.status === 'authorized' || p.status === 'pending')) p.status = 'voided';
  }
  /** The order lifecycle's capture (this rig runs no consumers or jobs, so only direct calls reach it). */
  async capture(_ctx: unknown, paymentId: string, amount: Money) {
    const p = this.payments.get(paymentId);
    if (p?.status !== 'authorized')
      return { ok: false as const, reason: 'capture_failed' as const, paymentId, detail: 'not capturable' };
    p.status = 'captured';
    p.capturedAmount = amount;
    return { ok: true as const, paymentId, status: 'captured' as const, capturedAmount: amount };
  }
  async paymentsForOrder(orderId: string) {
    return [...this.payments.values()].filter((p) => p.orderId === orderId);
  }
  /** Returns' refunds (this rig runs no returns; the port requires it). Idempotent per key. */
  refunds = new Map<string, string>();
  async refund(_ctx: unknown, paymentId: string, amount: Money, key: string) {
    const p = this.payments.get(paymentId);
    if (!p || (p.status !== 'captured' && p.status !== 'partially_refunded'))
      return { ok: false as const, reason: 'refund_failed' as const, paymentId, detail: 'not refundable' };
    if (!this.refunds.has(key)) {
      this.refunds.set(key, newId());
      p.refundedAmount = add(p.refundedAmount, amount);
      p.status = p.refundedAmount.amount === p.capturedAmount.amount ? 'refunded' : 'partially_refunded';
    }
    return {
      ok: true as const,
      paymentId,
      refundId: this.refunds.get(key)!,
      status: p.status as 'refunded' | 'partially_refunded',
      refundedAmount: p.refundedAmount,
    };
  }
  live() {
    return [...this.payments.values()].filter((p) => p.status === 'authorized' || p.status === 'pending');
  }
}

export interface OrderRig {
  app: HttpApp;
  module: ServiceModule<OrderClient>;
  database: Database;
  // biome-ignore lint/suspicious/noExplicitAny: tests read the order schema and the platform tables
  db: Kysely<any>;
  clock: ManualClock;
  catalog: FakeCatalog;
  pricing: FakePricing;
  warehouse: FakeWarehouse;
  shipping: FakeShipping;
  payment: FakePayment;
  close(): Promise<void>;
}

/** The order module alone, on a fresh database, behind the real gateway and HTTP app, with fake ports. */
export async function startOrderRig(kind: TestDatabase, env: Record<string, string> = {}): Promise<OrderRig> {
  const pg = kind === 'postgres' ? await createPostgresDatabase() : undefined;
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...env });
  const logger = createLogger({ level: config.LOG_LEVEL });
  const database = await createDatabase({ url: pg?.url, poolMax: 20 });
  const metrics = createMetrics();
  const clock = new ManualClock(new Date('2030-06-01T12:00:00Z'));
  const fakes = {
    catalog: new FakeCatalog(),
    pricing: new FakePricing(),
    warehouse: new FakeWarehouse(),
    shipping: new FakeShipping(),
    payment: new FakePayment(),
  };
  const module = createOrderModule({
    config,
    logger,
    db: database.forSchema<OrderDB>('order'),
    database,
    clock,
    metrics,
    ...fakes,
    // Checkout tests never get as far as fulfillment.
    fulfillments: { forOrder: async () => [] },
  });
  await migrateSchema(database, 'order', platformMigrations());
  await migrateSchema(database, 'order', readMigrations(module.migrations!));
  const app = await buildHttpApp({ logger, metrics, bodyLimit: config.BODY_LIMIT_BYTES, docs: false });
  await registerGateway(app, { corsOrigins: [], logger, authenticate: undefined, modules: [module] });
  await app.ready();
  return {
    app,
    module,
    database,
    db: database.forSchema('order'),
    clock,
    ...fakes,
    close: async () => {
      await app.close();
      await database.close();
      await pg?.drop();
    },
  };
}

/**
 * What both checkout test files share inside their `describe`: a rig with a seeded catalog (MUG,
 * SPLIT across two warehouses, RARE without stock, 10 % US tax), HTTP helpers, and the check that a
 * failed checkout left no reservation, live payment or order behind. Registers its own hooks.
 */
export function checkoutTestKit(
  kind: TestDatabase,
  env: Record<string, string>,
  onRig: (rig: OrderRig) => void,
) {
  const API = '/api/v1';
  let rig!: OrderRig;
  // biome-ignore lint/suspicious/noExplicitAny: test reads of the order schema and platform tables
  let db!: Kysely<any>;
  const post = (url: string, payload: unknown, headers: Record<string, string>) =>
    rig.app.inject({ method: 'POST', url: `${API}${url}`, payload: payload as object, headers });

  async function cart(items: [string, number][], opts: { method?: string; address?: boolean } = {}) {
    const created = await post('/carts', { currency: 'USD' }, {});
    const { id, cartToken: token } = created.json<{ id: string; cartToken: string }>();
    const h = { 'x-cart-token': token };
    for (const [sku, quantity] of items) {
      const r = await post(`/carts/${id}/items`, { sku, quantity }, h);
      expect(r.statusCode, r.body).toBe(200);
    }
    if (opts.address !== false) {
      await rig.app.inject({
        method: 'PUT',
        url: `${API}/carts/${id}/shipping-address`,
        payload: ADDRESS,
        headers: h,
      });
      if (opts.method !== '')
        await rig.app.inject({
          method: 'PUT',
          url: `${API}/carts/${id}/shipping-method`,
          payload: { optionId: opts.method ?? 'std' },
          headers: h,
        });
    }
    return { id, token };
  }

  const checkout = (
    c: { id: string; token: string },
    key: string | undefined,
    payment: object = { method: 'card', token: 'tok_visa' },
  ) =>
    post(
      '/checkout',
      { cartId: c.id, payment },
      { 'x-cart-token': c.token, ...(key ? { 'idempotency-key': key } : {}) },
    );

  const count = async (table: string, where: Record<string, unknown> = {}) => {
    let q = db.selectFrom(table).select((eb) => eb.fn.countAll<bigint>().as('n'));
    for (const [k, v] of Object.entries(where)) q = q.where(k, '=', v);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };

  beforeAll(async () => {
    rig = await startOrderRig(kind, env);
    db = rig.db;
    onRig(rig);
    rig.catalog.add('MUG', { weightGrams: 300 });
    rig.pricing.set('MUG', 1250n);
    rig.warehouse.put('0190a000-0000-7000-8000-00000000000a', 'MUG', 1_000_000);
    rig.catalog.add('SPLIT');
    rig.pricing.set('SPLIT', 700n);
    rig.warehouse.put('0190a000-0000-7000-8000-00000000000a', 'SPLIT', 2);
    rig.warehouse.put('0190a000-0000-7000-8000-00000000000b', 'SPLIT', 3);
    rig.catalog.add('RARE');
    rig.pricing.set('RARE', 5000n);
    rig.pricing.taxBps.set('US', 1000);
  });
  afterAll(() => rig?.close());
  const nothingLeftFor = async (cartId: string) => {
    const ids = (await db.selectFrom('checkouts').select('id').where('cart_id', '=', cartId).execute()).map(
      (r: { id: string }) => r.id,
    );
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      expect(rig.warehouse.active().filter((r) => r.reference === `checkout:${id}:reserve`)).toEqual([]);
      expect(
        (await rig.payment.paymentsForOrder(id)).filter(
          (p) => p.status === 'authorized' || p.status === 'pending',
        ),
      ).toEqual([]);
    }
    expect(await count('orders', { cart_id: cartId })).toBe(0);
  };

  return { post, cart, checkout, count, nothingLeftFor };
}
