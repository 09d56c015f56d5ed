import type { Kysely } from 'kysely';
import type { CustomerDB } from '../data/tables.js';

/** A customer's order statistics as the admin API shows them (reconciliation corrections included). */
export interface CustomerStatsView {
  totalOrders: number;
  /** One entry per currency the customer bought in, minor units as strings. */
  totalSpent: { amount: string; currency: string }[];
  lastOrderAt: string | null;
  returns: number;
  reconciledAt: string | null;
}

export async function statsOf(db: Kysely<CustomerDB>, customerId: string): Promise<CustomerStatsView> {
  const rows = await db
    .selectFrom('customer_stats')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('currency')
    .execute();
  const latest = (dates: (Date | null)[]) =>
    dates.reduce<Date | null>((a, d) => (d && (!a || d > a) ? d : a), null)?.toISOString() ?? null;
  return {
    totalOrders: rows.reduce((n, r) => n + r.eff_orders, 0),
    totalSpent: rows.map((r) => ({ amount: String(r.eff_spent), currency: r.currency })),
    lastOrderAt: latest(rows.map((r) => r.eff_last_order_at)),
    returns: rows.reduce((n, r) => n + r.eff_returns, 0),
    reconciledAt: latest(rows.map((r) => r.reconciled_at)),
  };
}
