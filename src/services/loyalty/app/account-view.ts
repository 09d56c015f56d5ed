import type { Kysely } from 'kysely';
import type { LoyaltyDB, TransactionKind, TransactionRow } from '../data/tables.js';
import { tierFor } from '../domain/tiers.js';
import type { LoyaltySettings } from './deps.js';

export interface HistoryItem {
  id: string;
  kind: TransactionKind;
  points: number;
  balanceAfter: number;
  orderId: string | null;
  shortfall: number;
  reason: string | null;
  occurredAt: string;
}

export interface AccountView {
  balance: number;
  tier: string;
  lifetimePoints: number;
  shortfall: number;
  history: { items: HistoryItem[]; nextCursor: string | null };
}

const toItem = (r: TransactionRow): HistoryItem => ({
  id: r.id,
  kind: r.kind,
  points: Number(r.points),
  balanceAfter: Number(r.balance_after),
  orderId: r.order_id,
  shortfall: Number(r.shortfall),
  reason: r.reason,
  occurredAt: r.occurred_at.toISOString(),
});

/**
 * A customer's points with one page of their history, newest first (keyset on the UUIDv7 id). A
 * customer whose account is not open yet (or was erased) has zero points and no history.
 */
export async function accountView(
  db: Kysely<LoyaltyDB>,
  settings: LoyaltySettings,
  customerId: string,
  page: { limit: number; before?: string | undefined },
): Promise<AccountView & { lastId: string | null }> {
  const account = await db
    .selectFrom('accounts')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  let q = db
    .selectFrom('transactions')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (page.before) q = q.where('id', '<', page.before);
  const rows = account ? await q.execute() : [];
  const items = rows.slice(0, page.limit);
  const lifetime = BigInt(account?.lifetime_points ?? '0');
  const lastId = rows.length > page.limit ? (items.at(-1)?.id ?? null) : null;
  return {
    balance: Number(account?.balance ?? 0),
    tier: tierFor(settings.tiers, lifetime).name,
    lifetimePoints: Number(lifetime),
    shortfall: Number(account?.shortfall ?? 0),
    history: { items: items.map(toItem), nextCursor: null },
    lastId,
  };
}
