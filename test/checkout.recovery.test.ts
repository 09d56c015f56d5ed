import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { ADDRESS, type OrderRig, startOrderRig } from './checkout.fakes.js';
import { TEST_DATABASES } from './databases.js';

/**
 * The checkout saga when a process is slow or dies mid-way (a payment call that does not return):
 * the cart changing underneath, the recovery job and a retry taking over a stuck Idempotency-Key.
 * In-memory doubles of the other services; real HTTP, database and idempotency store.
 */
const API = '/api/v1';
const LEASE_SECONDS = 60;

describe.each(TEST_DATABASES)('checkout crash recovery and races on %s', (kind) => {
  let rig: OrderRig;
  // biome-ignore lint/suspicious/noExplicitAny: test reads of the order schema and platform tables
  let db: Kysely<any>;
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
    rig = await startOrderRig(kind, { IDEMPOTENCY_LEASE_SECONDS: String(LEASE_SECONDS) });
    db = rig.db;
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

  it('loses a cart changed during checkout with 409 cart_changed and compensates', async () => {
    const c = await cart([['MUG', 1]]);
    let open!: () => void;
    rig.payment.holdUntil = new Promise((r) => {
      open = r;
    });
    const held = rig.payment.held;
    const pending = checkout(c, newId());
    try {
      await waitUntil(() => rig.payment.held > held);
      const add = await post(
        `/carts/${c.id}/items`,
        { sku: 'MUG', quantity: 1 },
        { 'x-cart-token': c.token },
      );
      expect(add.statusCode).toBe(200);
    } finally {
      rig.payment.holdUntil = undefined;
      open();
    }
    const res = await pending;
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('cart_changed');
    await nothingLeftFor(c.id);
  });

  it('recovers a checkout stuck past its lease: the job compensates, the slow holder cannot complete', async () => {
    const c = await cart([['MUG', 1]]);
    const key = newId();
    let open!: () => void;
    rig.payment.holdUntil = new Promise((r) => {
      open = r;
    });
    const held = rig.payment.held;
    const stuck = checkout(c, key);
    await waitUntil(() => rig.payment.held > held);
    rig.payment.holdUntil = undefined;
    const job = rig.module.jobs!.find((j) => j.name === 'checkout-recovery')!;
    const jobCtx = {
      tick: new Date(),
      runId: newId(),
      logger: createLogger({ level: 'silent' }),
      signal: new AbortController().signal,
    };
    // Within the lease the holder is presumed alive.
    expect(await job.handler(jobCtx)).toEqual({ items: 0 });
    rig.clock.advance((LEASE_SECONDS + 1) * 1000);
    expect(await job.handler(jobCtx)).toEqual({ items: 1 });
    await nothingLeftFor(c.id);
    expect(await count('idempotency_keys', { key })).toBe(0);
    open();
    const res = await stuck;
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('idempotency_lease_lost');
    await nothingLeftFor(c.id);
    // The client's retry with the same key runs a fresh checkout.
    const retry = await checkout(c, key);
    expect(retry.statusCode, retry.body).toBe(201);
  });

  it('lets a retry take over a stuck key after the lease, compensating the stuck attempt first', async () => {
    const c = await cart([['MUG', 1]]);
    const key = newId();
    let open!: () => void;
    rig.payment.holdUntil = new Promise((r) => {
      open = r;
    });
    const held = rig.payment.held;
    const stuck = checkout(c, key);
    await waitUntil(() => rig.payment.held > held);
    rig.payment.holdUntil = undefined;
    const inUse = await checkout(c, key);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().code).toBe('idempotency_key_in_use');
    rig.clock.advance((LEASE_SECONDS + 1) * 1000);
    const retry = await checkout(c, key);
    expect(retry.statusCode, retry.body).toBe(201);
    open();
    // The stuck attempt loses either way: its cart is already checked out, and its lease is gone.
    const late = await stuck;
    expect(late.statusCode).toBe(409);
    expect(['cart_changed', 'idempotency_lease_lost']).toContain(late.json().code);
    const ids = (await db
      .selectFrom('checkouts')
      .select(['id', 'status'])
      .where('cart_id', '=', c.id)
      .execute()) as { id: string; status: string }[];
    expect(ids.map((r) => r.status).sort()).toEqual(['completed', 'failed']);
    const failed = ids.find((r) => r.status === 'failed')!;
    expect(rig.warehouse.active().filter((r) => r.reference === `checkout:${failed.id}:reserve`)).toEqual([]);
    expect((await rig.payment.paymentsForOrder(failed.id)).map((p) => p.status)).toEqual(['voided']);
    expect(await count('orders', { cart_id: c.id })).toBe(1);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((r) => setTimeout(r, 5));
  }
}
