import { sql, type Transaction } from 'kysely';
import { segmentRepository } from '../data/segment.repository.js';
import type { CustomerDB } from '../data/tables.js';

type Tx = Transaction<CustomerDB>;

/** A change to what is known about one order, applied once per (order, kind) (C11). */
export interface OrderFact {
  orderId: string;
  /** `status:<new status>`, `refund:<refund id>` or `return:<return id>`. */
  kind: string;
  customerId: string | null;
  currency: string | null;
  total: bigint | null;
  deliveredAt: Date | null;
  cancelled: boolean;
  fullyReversed: boolean;
  refunded: bigint;
  returns: number;
}

/** Statuses that a delivered order reaches afterwards: each implies delivery (events may be reordered). */
const AFTER_DELIVERY = new Set([
  'delivered',
  'completed',
  'return_requested',
  'partially_returned',
  'returned',
  'refunded',
]);
/** The purchase no longer counts (C14: returned handled like refunded). */
const FULLY_REVERSED = new Set(['returned', 'refunded']);

/** The fact an `orders.order.status_changed` carries for the statistics, or undefined when none. */
export function statusFact(e: {
  orderId: string;
  customerId: string | null;
  newStatus: string;
  total: { amount: string; currency: string };
  occurredAt: string;
}): OrderFact | undefined {
  if (!e.customerId) return undefined; // guest orders have no customer statistics
  const delivered = AFTER_DELIVERY.has(e.newStatus);
  if (!delivered && e.newStatus !== 'cancelled') return undefined;
  return {
    orderId: e.orderId,
    kind: `status:${e.newStatus}`,
    customerId: e.customerId,
    currency: e.total.currency,
    total: BigInt(e.total.amount),
    deliveredAt: delivered ? new Date(e.occurredAt) : null,
    cancelled: e.newStatus === 'cancelled',
    fullyReversed: FULLY_REVERSED.has(e.newStatus),
    refunded: 0n,
    returns: 0,
  };
}

/**
 * Applies `fact` unless this (order, kind) was applied before, then re-derives the customer's
 * statistics and re-evaluates their segments in the same transaction. Facts merge commutatively
 * (LEAST, OR, once-applied sums), so every arrival order gives the same statistics (G4, G6).
 */
export async function applyOrderFact(tx: Tx, fact: OrderFact, now: Date): Promise<boolean> {
  const first = await tx
    .insertInto('order_fact_applications')
    .values({ order_id: fact.orderId, kind: fact.kind, applied_at: now })
    .onConflict((oc) => oc.columns(['order_id', 'kind']).doNothing())
    .returning('order_id')
    .executeTakeFirst();
  if (!first) return false;
  const row = await tx
    .insertInto('order_facts')
    .values({
      order_id: fact.orderId,
      customer_id: fact.customerId,
      currency: fact.currency,
      total: fact.total,
      delivered_at: fact.deliveredAt,
      cancelled: fact.cancelled,
      fully_reversed: fact.fullyReversed,
      refunded: fact.refunded,
      returns: fact.returns,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column('order_id').doUpdateSet({
        customer_id: sql`COALESCE(order_facts.customer_id, excluded.customer_id)`,
        currency: sql`COALESCE(order_facts.currency, excluded.currency)`,
        total: sql`COALESCE(order_facts.total, excluded.total)`,
        delivered_at: sql`LEAST(order_facts.delivered_at, excluded.delivered_at)`,
        cancelled: sql`order_facts.cancelled OR excluded.cancelled`,
        fully_reversed: sql`order_facts.fully_reversed OR excluded.fully_reversed`,
        refunded: sql`order_facts.refunded + excluded.refunded`,
        returns: sql`order_facts.returns + excluded.returns`,
        updated_at: now,
      }),
    )
    .returning('customer_id')
    .executeTakeFirstOrThrow();
  if (row.customer_id) await refreshCustomer(tx, row.customer_id, now);
  return true;
}

/**
 * Re-derives one customer's statistics from their order facts (bounded by their orders) and
 * re-evaluates their segments (event-driven, not logged-only). Corrections of the reconciliation
 * stay in their own columns and keep applying on top.
 */
export async function refreshCustomer(tx: Tx, customerId: string, now: Date): Promise<void> {
  const counted = sql`delivered_at IS NOT NULL AND NOT cancelled`;
  const kept = sql`delivered_at IS NOT NULL AND NOT cancelled AND NOT fully_reversed`;
  await tx
    .insertInto('customer_stats')
    .columns([
      'customer_id',
      'currency',
      'total_orders',
      'total_spent',
      'returns',
      'last_order_at',
      'updated_at',
    ])
    .expression(
      tx
        .selectFrom('order_facts')
        .select([
          sql<string>`customer_id`.as('customer_id'),
          sql<string>`currency`.as('currency'),
          sql<number>`count(*) FILTER (WHERE ${kept})`.as('total_orders'),
          sql<string>`COALESCE(sum(GREATEST(total - refunded, 0)) FILTER (WHERE ${kept}), 0)`.as(
            'total_spent',
          ),
          sql<number>`COALESCE(sum(returns) FILTER (WHERE ${counted}), 0)`.as('returns'),
          sql<Date>`max(delivered_at) FILTER (WHERE NOT cancelled)`.as('last_order_at'),
          sql<Date>`${now}::timestamptz`.as('updated_at'),
        ])
        .where('customer_id', '=', customerId)
        .where('currency', 'is not', null)
        .where('total', 'is not', null)
        .groupBy(['customer_id', 'currency']),
    )
    .onConflict((oc) =>
      oc.columns(['customer_id', 'currency']).doUpdateSet((eb) => ({
        total_orders: eb.ref('excluded.total_orders'),
        total_spent: eb.ref('excluded.total_spent'),
        returns: eb.ref('excluded.returns'),
        last_order_at: eb.ref('excluded.last_order_at'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
  await evaluateCustomerSegments(tx, customerId, now);
}

/** Membership of one customer in every active segment, from the same SQL the nightly run uses. */
export async function evaluateCustomerSegments(tx: Tx, customerId: string, now: Date): Promise<void> {
  for (const segment of await segmentRepository.activeSegments(tx))
    await segmentRepository.applyMembership(tx, segment, { id: customerId }, now);
}
