import { type Kysely, sql } from 'kysely';
import type { CustomerOrderAggregate } from '../contract/client.js';
import type { OrderDB } from './tables.js';

/** Statuses after which a delivered order no longer counts as a purchase (fully reversed or never kept). */
const NOT_COUNTED = sql`o.status IN ('cancelled', 'refunded', 'returned')`;

/**
 * Per-customer purchase aggregates of delivered orders, by currency — the figures the customer
 * service's statistics reconcile against (C-W1, C12). One statement over this service's own
 * schema: orders with their refunded and completed returns.
 */
export async function customerOrderAggregates(
  db: Kysely<OrderDB>,
  customerIds: readonly string[],
): Promise<CustomerOrderAggregate[]> {
  if (customerIds.length === 0) return [];
  const returns = db
    .selectFrom('returns')
    .select([
      'order_id',
      sql<string>`sum(refund_amount) FILTER (WHERE refunded_at IS NOT NULL)`.as('refunded'),
      sql<number>`count(*) FILTER (WHERE status = 'completed')`.as('completed'),
      sql<Date>`max(updated_at)`.as('updated_at'),
    ])
    .groupBy('order_id');
  const rows = await db
    .selectFrom('orders as o')
    .leftJoin(returns.as('r'), 'r.order_id', 'o.id')
    .select([
      sql<string>`o.customer_id`.as('customer_id'),
      'o.currency',
      sql<string | number>`count(*) FILTER (WHERE NOT ${NOT_COUNTED})`.as('orders'),
      sql<string | number>`COALESCE(sum(CASE WHEN ${NOT_COUNTED} THEN 0
        ELSE GREATEST(o.total - COALESCE(r.refunded, 0), 0) END), 0)`.as('spent'),
      sql<string | number>`COALESCE(sum(r.completed), 0)`.as('returns'),
      sql<Date | null>`max(o.delivered_at)`.as('last_order_at'),
      sql<Date>`max(GREATEST(o.updated_at, COALESCE(r.updated_at, o.updated_at)))`.as('last_change_at'),
    ])
    .where('o.customer_id', 'in', customerIds)
    .where('o.delivered_at', 'is not', null)
    .where('o.status', '<>', 'cancelled')
    .groupBy(['o.customer_id', 'o.currency'])
    .execute();
  return rows.map((r) => ({
    customerId: r.customer_id,
    currency: r.currency,
    orders: Number(r.orders),
    spent: String(r.spent),
    returns: Number(r.returns),
    lastOrderAt: r.last_order_at ? new Date(r.last_order_at).toISOString() : null,
    lastChangeAt: new Date(r.last_change_at).toISOString(),
  }));
}
