import { sql, type Transaction } from 'kysely';
import { publish } from '../../../platform/eventing/index.js';
import { newId } from '../../../platform/ids.js';
import { currencyExponent } from '../../../platform/money.js';
import type { AccountRow, LoyaltyDB, TransactionKind, TransactionRow } from '../data/tables.js';
import { debit, pointsFor, tierFor } from '../domain/tiers.js';
import type { LoyaltySettings } from './deps.js';

type Tx = Transaction<LoyaltyDB>;

/**
 * The points ledger. Every change locks the customer's account row first, so all changes of one
 * customer are serialized and the checks below ("earned already?") cannot race; the partial unique
 * index on (order, kind) is the backstop (G4). The balance never goes below zero: what a debit
 * cannot take is recorded as shortfall.
 */
export async function lockAccount(
  tx: Tx,
  customerId: string,
  now: Date,
  open: boolean,
): Promise<AccountRow | undefined> {
  if (open)
    await tx
      .insertInto('accounts')
      .values({ customer_id: customerId, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('customer_id').doNothing())
      .execute();
  const account = await tx
    .selectFrom('accounts')
    .selectAll()
    .where('customer_id', '=', customerId)
    .forUpdate()
    .executeTakeFirst();
  return account && account.erased_at === null ? account : undefined;
}

export interface Change {
  kind: TransactionKind;
  orderId: string | null;
  /** Signed change of the balance actually applied. */
  points: bigint;
  requested: bigint;
  shortfall: bigint;
  lifetimeDelta: bigint;
  tier: string | null;
  actor: string;
  reason: string | null;
  idempotencyKey?: string | null;
}

/** Applies `change` to the locked `account`, appends it to the ledger and announces it (outbox). */
export async function record(
  tx: Tx,
  account: AccountRow,
  change: Change,
  now: Date,
): Promise<TransactionRow> {
  const balance = BigInt(account.balance) + change.points;
  const updated = await tx
    .updateTable('accounts')
    .set({
      balance: balance,
      lifetime_points: sql`GREATEST(lifetime_points + ${change.lifetimeDelta}::bigint, 0)`,
      shortfall: sql`shortfall + ${change.shortfall}::bigint`,
      ...(change.kind === 'earned' && change.points > 0n ? { last_earned_at: now } : {}),
      updated_at: now,
    })
    .where('customer_id', '=', account.customer_id)
    .returningAll()
    .executeTakeFirstOrThrow();
  Object.assign(account, updated);
  const row = await tx
    .insertInto('transactions')
    .values({
      id: newId(),
      customer_id: account.customer_id,
      order_id: change.orderId,
      kind: change.kind,
      points: change.points,
      requested: change.requested,
      shortfall: change.shortfall,
      lifetime_delta: change.lifetimeDelta,
      tier: change.tier,
      actor: change.actor,
      reason: change.reason,
      idempotency_key: change.idempotencyKey ?? null,
      balance_after: balance,
      occurred_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (change.points !== 0n)
    await publish(tx, 'loyalty.points.changed', account.customer_id, {
      customerId: account.customer_id,
      transactionId: row.id,
      orderId: change.orderId,
      kind: change.kind,
      points: Number(change.points),
      balance: Number(balance),
      occurredAt: now.toISOString(),
    });
  return row;
}

const orderTxn = (tx: Tx, orderId: string, kind: 'earned' | 'reversed') =>
  tx
    .selectFrom('transactions')
    .selectAll()
    .where('order_id', '=', orderId)
    .where('kind', '=', kind)
    .executeTakeFirst();

/**
 * Earning for a delivered order, once per order. The multiplier is the tier the customer holds
 * when the points are earned. An order whose reversal arrived first (events of one order may be
 * reordered across topics and redeliveries) earns nothing: the reversal already stands (G6).
 */
export async function earnForOrder(
  tx: Tx,
  settings: LoyaltySettings,
  order: { orderId: string; customerId: string; total: bigint; currency: string },
  now: Date,
): Promise<void> {
  const account = await lockAccount(tx, order.customerId, now, true);
  if (!account) return; // erased
  if (await orderTxn(tx, order.orderId, 'earned')) return;
  const reversed = await orderTxn(tx, order.orderId, 'reversed');
  const tier = tierFor(settings.tiers, BigInt(account.lifetime_points));
  const points = reversed
    ? 0n
    : pointsFor(order.total, currencyExponent(order.currency), settings.pointsPerUnit, tier);
  await record(
    tx,
    account,
    {
      kind: 'earned',
      orderId: order.orderId,
      points,
      requested: points,
      shortfall: 0n,
      lifetimeDelta: points,
      tier: tier.name,
      actor: 'order',
      reason: reversed ? 'order reversed before delivery was seen' : null,
    },
    now,
  );
}

/**
 * Reversal of an order's earning (cancelled, refunded, returned after earning), once per order.
 * Takes what the balance holds; the rest is recorded as shortfall. A reversal seen before the
 * earning records a zero reversal, so the earning that follows is not granted.
 */
export async function reverseForOrder(
  tx: Tx,
  order: { orderId: string; customerId: string; reason: string },
  now: Date,
): Promise<void> {
  const account = await lockAccount(tx, order.customerId, now, true);
  if (!account) return;
  if (await orderTxn(tx, order.orderId, 'reversed')) return;
  const earned = await orderTxn(tx, order.orderId, 'earned');
  const requested = earned ? BigInt(earned.points) : 0n;
  const { taken, shortfall } = debit(BigInt(account.balance), requested);
  await record(
    tx,
    account,
    {
      kind: 'reversed',
      orderId: order.orderId,
      points: -taken,
      requested,
      shortfall,
      lifetimeDelta: -requested,
      tier: null,
      actor: 'order',
      reason: order.reason,
    },
    now,
  );
}

/** The customer id of an order that has earned here (refund events carry none). */
export async function customerOfOrder(tx: Tx, orderId: string): Promise<string | undefined> {
  return (
    await tx
      .selectFrom('transactions')
      .select('customer_id')
      .where('order_id', '=', orderId)
      .where('kind', '=', 'earned')
      .executeTakeFirst()
  )?.customer_id;
}
