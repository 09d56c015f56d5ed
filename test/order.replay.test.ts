import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../src/contracts/index.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { transaction } from '../src/platform/eventing/index.js';
import { newId } from '../src/platform/ids.js';
import { buildEnvelope } from '../src/platform/outbox/outbox.publisher.js';
import { transitionOrder } from '../src/services/order/app/order-transition.js';
import { orderRepository } from '../src/services/order/data/order.repository.js';
import type { OrderDB } from '../src/services/order/data/tables.js';
import { canTransition, ORDER_STATUSES } from '../src/services/order/domain/order-status.js';
import { TEST_DATABASES } from './harness.js';
import { card, type GuestOrder, type OrderWorld, startOrderWorld, transfer } from './order.fixtures.js';

/**
 * G4 and G6 across services: every event of several finished flows is delivered again — twice
 * each, with fresh event ids so the inbox does not simply drop them and every handler really runs,
 * in a shuffled order — through the bus to every real consumer; nothing changes. Plus: the
 * warehouse applies order statuses by sequence, and the transition table is walked pair by pair
 * against the database.
 */
describe.each(TEST_DATABASES)('order events replayed on %s', (kind) => {
  let w: OrderWorld;
  const SKU = 'REPLAY-MUG';

  beforeAll(async () => {
    w = await startOrderWorld(kind);
    await w.product(SKU, '1000', 1000);
  });
  afterAll(() => w?.close());

  async function snapshot(ids: string[]) {
    const list = ids.map((id) => `'${id}'`).join(',');
    return {
      orders: await w.sql(
        `SELECT id, status, payment_status, sequence, capture_state, cancel_reason FROM "order".orders WHERE id IN (${list}) ORDER BY id`,
      ),
      reservations: await w.sql(
        `SELECT order_id, status FROM warehouse.reservations WHERE order_id IN (${list}) ORDER BY order_id`,
      ),
      payments: await w.sql(
        `SELECT order_id, status, captured_amount::text AS captured, refunded_amount::text AS refunded FROM payment.payments WHERE order_id IN (${list}) ORDER BY order_id`,
      ),
      settlements: await w.sql(
        `SELECT order_id, status FROM payment.order_settlements WHERE order_id IN (${list}) ORDER BY order_id`,
      ),
      reserved: await w.reserved(SKU),
    };
  }

  async function envelopesOf(ids: string[]): Promise<EventEnvelope[]> {
    const out: EventEnvelope[] = [];
    for (const schema of ['order', 'payment', 'warehouse'])
      for (const r of await w
        .schema(schema)
        .selectFrom('outbox')
        .select('envelope')
        .where('key', 'in', ids)
        .execute())
        out.push(r.envelope as EventEnvelope);
    return out;
  }

  /** Deterministic shuffle (mulberry32) so a failure can be replayed. */
  function shuffle<T>(items: T[], seed: number): T[] {
    let s = seed;
    const rand = () => {
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), 1 | s);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const a = [...items];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }

  it('every event of finished flows delivered twice, shuffled, leaves the same state', async () => {
    const confirmed = await w.checkout([[SKU, 1]], card());
    const refunded = await w.checkout([[SKU, 2]], card());
    const refused = await w.checkout([[SKU, 3]], card('tok_capture_fails'));
    const voided = await w.checkout([[SKU, 1]], transfer);
    await w.waitForOrder(confirmed, 'confirmed', (b) => b.status === 'confirmed');
    await w.waitForOrder(refunded, 'confirmed', (b) => b.status === 'confirmed');
    await w.waitForOrder(refused, 'cancelled', (b) => b.status === 'cancelled');
    for (const o of [refunded, voided]) {
      const r = await w.inject(
        'POST',
        `/orders/${o.id}/cancel`,
        { reason: 'test' },
        { 'x-cart-token': o.token },
      );
      expect(r.statusCode, r.body).toBe(200);
    }
    const all: GuestOrder[] = [confirmed, refunded, refused, voided];
    const ids = all.map((o) => o.id);
    // Queued by the payment consumer and started at once (the job below is the safety net).
    const cancelledIds = [refunded, refused, voided].map((o) => `'${o.id}'`).join(',');
    await waitFor(
      async () =>
        (await w.sql(`SELECT 1 FROM payment.order_settlements WHERE order_id IN (${cancelledIds})`))
          .length === 3,
      'settlements queued',
    );
    await w.runJob('payment', 'order-settlement');
    await w.waitForOrder(refunded, 'refunded', (b) => b.paymentStatus === 'refunded');
    await w.waitForOrder(voided, 'voided', (b) => b.paymentStatus === 'voided');
    for (const o of [refunded, refused, voided])
      await waitFor(async () => (await w.reservationStatus(o.id)) === 'released', 'released');
    await waitFor(async () => (await w.reservationStatus(confirmed.id)) === 'confirmed', 'confirmed');
    const before = await snapshot(ids);
    expect(before.orders.map((o) => (o as { status: string }).status).sort()).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
      'confirmed',
    ]);

    const envelopes = await envelopesOf(ids);
    expect(new Set(envelopes.map((e) => e.type))).toEqual(
      new Set([
        'orders.order.status_changed',
        'orders.payment.capture_requested',
        'payments.payment.authorized',
        'payments.payment.confirmed',
        'payments.payment.failed',
        'payments.payment.voided',
        'payments.refund.completed',
      ]),
    );
    const replay = shuffle(
      [...envelopes, ...envelopes].map((e) => ({ ...e, id: newId() })),
      20_250_101,
    );
    const bus = w.platform.orderline.eventing.bus();
    for (const e of replay) await bus.publish([e]);
    // Whatever the replay queued would run now: nothing is due.
    await w.runJob('payment', 'order-settlement');
    await w.runJob('order', 'capture-retry');
    expect(await snapshot(ids)).toEqual(before);
  });

  it('the warehouse applies order statuses by sequence: a stale confirmed after cancelled changes nothing', async () => {
    const o = await w.checkout([[SKU, 1]], transfer);
    const order = (await orderRepository.findOrder(w.schema('order'), o.id))!;
    const items = await orderRepository.listItems(w.schema('order'), o.id);
    const { statusChangedPayload } = await import('../src/services/order/app/order-transition.js');
    const at = new Date();
    const event = (status: 'confirmed' | 'cancelled', sequence: number, old: 'pending' | 'confirmed') =>
      buildEnvelope(
        'orders.order.status_changed',
        o.id,
        statusChangedPayload({ ...order, status, sequence }, old, items, 'test', at),
      );
    const bus = w.platform.orderline.eventing.bus();
    await bus.publish([event('cancelled', 3, 'confirmed')]);
    await waitFor(async () => (await w.reservationStatus(o.id)) === 'released', 'released by seq 3');
    await bus.publish([event('confirmed', 2, 'pending')]);
    expect(await w.reservationStatus(o.id)).toBe('released');
    const [seq] = await w.sql<{ sequence: number }>(
      `SELECT sequence FROM warehouse.order_sequences WHERE order_id = '${o.id}'`,
    );
    expect(seq!.sequence).toBe(3);
  });

  it('walks every pair of the order table against the database: only allowed moves change the row', async () => {
    const o = await w.checkout([[SKU, 1]], transfer);
    const db = w.schema('order') as unknown as import('kysely').Kysely<OrderDB>;
    let allowed = 0;
    for (const from of ORDER_STATUSES)
      for (const to of ORDER_STATUSES) {
        await sql`UPDATE "order".orders SET status = ${from}, cancelled_at = ${from === 'cancelled' ? new Date() : null} WHERE id = ${o.id}`.execute(
          w.platform.orderline.database.root,
        );
        const row = (await orderRepository.findOrder(db, o.id))!;
        const set = to === 'cancelled' ? { cancelled_at: new Date() } : { cancelled_at: null };
        const attempt = transaction(db, (tx) =>
          transitionOrder(tx, row, { to, reason: 'walk', set }, new Date()),
        );
        if (canTransition(from, to)) {
          const moved = await attempt;
          expect(moved, `${from} → ${to}`).toMatchObject({ status: to, sequence: row.sequence + 1 });
          allowed++;
        } else {
          await expect(attempt, `${from} → ${to}`).rejects.toMatchObject({ code: 'invalid_transition' });
          expect((await orderRepository.findOrder(db, o.id))!.sequence).toBe(row.sequence);
        }
      }
    expect(allowed).toBe(15); // the 12 drawn edges of 02-events.md + 3 for returns (docs/order-lifecycle.md)
    const events = await w.sql(
      `SELECT 1 FROM "order".outbox WHERE key = '${o.id}' AND envelope->'data'->>'reason' = 'walk'`,
    );
    expect(events).toHaveLength(allowed);
  });
});
