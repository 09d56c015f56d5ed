import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { checkoutTestKit, type OrderRig } from './checkout.fakes.js';
import { TEST_DATABASES } from './databases.js';

/**
 * The checkout saga when a process is slow or dies mid-way (a payment call that does not return):
 * the cart changing underneath, the recovery job and a retry taking over a stuck Idempotency-Key.
 * In-memory doubles of the other services; real HTTP, database and idempotency store.
 */
const LEASE_SECONDS = 60;

describe.each(TEST_DATABASES)('checkout crash recovery and races on %s', (kind) => {
  let rig: OrderRig;
  // biome-ignore lint/suspicious/noExplicitAny: test reads of the order schema and platform tables
  let db: Kysely<any>;
  const { post, cart, checkout, count, nothingLeftFor } = checkoutTestKit(
    kind,
    { IDEMPOTENCY_LEASE_SECONDS: String(LEASE_SECONDS) },
    (r) => {
      rig = r;
      db = r.db;
    },
  );
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
