import { sql } from 'kysely';
import type { EventEnvelope } from '../src/contracts/index.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { newId } from '../src/platform/ids.js';
import { buildEnvelope } from '../src/platform/outbox/outbox.publisher.js';
import type { TestPlatform } from './harness.js';

/**
 * Order lifecycle events as the order and payment services publish them, for the consumers of
 * customer statistics and loyalty (not a test file itself). Tests publish them onto the real bus.
 */
export interface SyntheticOrder {
  orderId: string;
  customerId: string | null;
  total: string;
  currency?: string;
}

let sequence = 0;
export function statusEvent(o: SyntheticOrder, newStatus: string, at: Date, oldStatus: string | null = null) {
  sequence += 1;
  return buildEnvelope('orders.order.status_changed', o.orderId, {
    orderId: o.orderId,
    customerId: o.customerId,
    oldStatus: oldStatus as never,
    newStatus: newStatus as never,
    sequence,
    total: { amount: o.total, currency: o.currency ?? 'USD' },
    currency: o.currency ?? 'USD',
    items: [{ sku: 'STAT-SKU', quantity: 1 }],
    reason: null,
    occurredAt: at.toISOString(),
  });
}

export function refundEvent(o: SyntheticOrder, amount: string, at: Date, returnId: string | null = null) {
  return buildEnvelope('payments.refund.completed', o.orderId, {
    orderId: o.orderId,
    paymentId: newId(),
    refundId: newId(),
    returnId,
    amount: { amount, currency: o.currency ?? 'USD' },
    fullyRefunded: amount === o.total,
    occurredAt: at.toISOString(),
  });
}

export function returnCompletedEvent(o: SyntheticOrder, refund: string, at: Date, returnId = newId()) {
  return buildEnvelope('orders.return.completed', returnId, {
    returnId,
    orderId: o.orderId,
    customerId: o.customerId,
    items: [{ sku: 'STAT-SKU', quantity: 1, warehouseId: null }],
    refund: { amount: refund, currency: o.currency ?? 'USD' },
    occurredAt: at.toISOString(),
  });
}

/** The same facts again under fresh event ids: the inbox cannot drop them, the handlers really run. */
export const republished = (events: EventEnvelope[]): EventEnvelope[] =>
  events.map((e) => ({ ...e, id: newId() }));

export function shuffled<T>(items: readonly T[], seed = 7): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Publishes `events` on the bus and waits until `schema`'s inbox has recorded every distinct event
 * id once per subscription of that schema that takes it: listening to its topic (`perTopic` of
 * them per topic, checked against the service's registered consumers) and accepting it (a
 * consumer's `accepts` skips what it would do nothing with, leaving no inbox row).
 */
export async function deliver(
  platform: TestPlatform,
  schema: string,
  events: EventEnvelope[],
  perTopic?: Record<string, number>,
): Promise<void> {
  const consumers = platform.orderline.modules.find((m) => m.name === schema)?.consumers ?? [];
  const bus = platform.orderline.eventing.bus();
  for (const e of events) await bus.publish([e]);
  const distinct = new Map(events.map((e) => [e.id, e]));
  let expected = 0;
  for (const e of distinct.values()) {
    const listening = consumers.filter((c) => c.topic === e.type);
    if (perTopic && (perTopic[e.type] ?? 0) !== listening.length)
      throw new Error(
        `${schema} has ${listening.length} consumers of ${e.type}, the test expects ${perTopic[e.type] ?? 0}`,
      );
    expected += listening.filter(
      (c) => !c.accepts || (c.accepts as (event: EventEnvelope) => boolean)(e),
    ).length;
  }
  const ids = [...distinct.keys()];
  await waitFor(
    async () => {
      const { rows } = await sql<{ n: string | number }>`
        SELECT count(*) AS n FROM ${sql.table(`${schema}.processed_events`)}
        WHERE event_id IN (${sql.join(ids)})`.execute(platform.orderline.database.root);
      return Number(rows[0]!.n) >= expected;
    },
    `${schema} processed ${expected} deliveries`,
    20_000,
  );
}
