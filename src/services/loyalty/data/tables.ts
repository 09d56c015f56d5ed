import type { ColumnType, Selectable } from 'kysely';

/** Kysely types of the loyalty schema (data/migrations). bigint columns read as strings. */
type Points = ColumnType<string, bigint | string | undefined, bigint | string>;

export interface LoyaltyDB {
  accounts: AccountsTable;
  transactions: TransactionsTable;
  redemptions: RedemptionsTable;
}

export interface RedemptionsTable {
  order_id: string;
  customer_id: string;
  points: Points;
  currency: string;
  discount: Points;
  status: 'held' | 'released';
  reason: string | null;
  created_at: Date;
  released_at: Date | null;
}

export interface AccountsTable {
  customer_id: string;
  balance: Points;
  lifetime_points: Points;
  shortfall: Points;
  last_earned_at: Date | null;
  erased_at: Date | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
}

export type TransactionKind = 'earned' | 'reversed' | 'redeemed' | 'released' | 'expired' | 'adjusted';

export interface TransactionsTable {
  id: string;
  customer_id: string;
  order_id: string | null;
  kind: TransactionKind;
  points: Points;
  requested: Points;
  shortfall: Points;
  lifetime_delta: Points;
  tier: string | null;
  actor: string;
  reason: string | null;
  idempotency_key: string | null;
  balance_after: Points;
  occurred_at: Date;
}

export type AccountRow = Selectable<AccountsTable>;
export type TransactionRow = Selectable<TransactionsTable>;
