import type { Transaction } from 'kysely';
import type { Ctx } from '../../../platform/context.js';
import { AppError, conflict, notFound } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import { isUuid } from '../../../platform/ids.js';
import type { Redemption } from '../contract/client.js';
import type { LoyaltyDB } from '../data/tables.js';
import type { LoyaltyDeps } from './deps.js';
import { lockAccount, record } from './ledger.js';

/**
 * Points become a discount for one order (the checkout saga's compensable step). Idempotent per
 * order: a retried step gets the same redemption. The balance must cover the points (409
 * insufficient_points); the discount may not exceed `maxDiscount` (422 points_exceed_order).
 */
export async function redeem(
  ctx: Ctx,
  deps: LoyaltyDeps,
  input: { customerId: string; orderId: string; points: number; currency: string; maxDiscount: bigint },
): Promise<Redemption> {
  if (!isUuid(input.customerId) || !isUuid(input.orderId))
    throw notFound('Loyalty account', input.customerId);
  const points = BigInt(input.points);
  const discount = points * BigInt(deps.settings.pointValueMinor);
  const now = deps.clock.now();
  return transaction(deps.db, async (tx) => {
    const account = await lockAccount(tx, input.customerId, now, false);
    if (!account) throw conflict('No loyalty points to redeem', 'insufficient_points');
    const earlier = await tx
      .selectFrom('redemptions')
      .selectAll()
      .where('order_id', '=', input.orderId)
      .executeTakeFirst();
    if (earlier) {
      if (earlier.customer_id !== input.customerId || BigInt(earlier.points) !== points)
        throw conflict('This order redeemed other points already', 'redemption_mismatch');
      return {
        orderId: earlier.order_id,
        points: Number(earlier.points),
        discount: { amount: earlier.discount, currency: earlier.currency },
        status: earlier.status,
      };
    }
    if (discount > input.maxDiscount)
      throw new AppError(
        'unprocessable',
        'points_exceed_order',
        `${input.points} points are worth ${discount} minor units, more than the ${input.maxDiscount} they may discount`,
      );
    if (BigInt(account.balance) < points)
      throw conflict(
        `The balance is ${account.balance} points; ${input.points} requested`,
        'insufficient_points',
      );
    await record(
      tx,
      account,
      {
        kind: 'redeemed',
        orderId: input.orderId,
        points: -points,
        requested: points,
        shortfall: 0n,
        lifetimeDelta: 0n,
        tier: null,
        actor: `customer:${input.customerId}`,
        reason: 'checkout',
      },
      now,
    );
    await tx
      .insertInto('redemptions')
      .values({
        order_id: input.orderId,
        customer_id: input.customerId,
        points,
        currency: input.currency,
        discount,
        status: 'held',
        reason: null,
        created_at: now,
        released_at: null,
      })
      .execute();
    ctx.logger.info({ orderId: input.orderId, points: input.points }, 'loyalty points redeemed');
    return {
      orderId: input.orderId,
      points: input.points,
      discount: { amount: String(discount), currency: input.currency },
      status: 'held' as const,
    };
  });
}

/**
 * Gives a held redemption back (checkout failed, order cancelled): once; a release of an order
 * without a redemption, or of one released already, changes nothing.
 */
export async function releaseRedemption(
  tx: Transaction<LoyaltyDB>,
  orderId: string,
  reason: string,
  now: Date,
): Promise<boolean> {
  const held = await tx
    .selectFrom('redemptions')
    .select(['customer_id'])
    .where('order_id', '=', orderId)
    .where('status', '=', 'held')
    .executeTakeFirst();
  if (!held) return false;
  const account = await lockAccount(tx, held.customer_id, now, false);
  // Re-read under the account lock: a concurrent release may have won.
  const row = await tx
    .selectFrom('redemptions')
    .selectAll()
    .where('order_id', '=', orderId)
    .where('status', '=', 'held')
    .executeTakeFirst();
  if (!row) return false;
  await tx
    .updateTable('redemptions')
    .set({ status: 'released', released_at: now, reason })
    .where('order_id', '=', orderId)
    .execute();
  if (account) {
    const points = BigInt(row.points);
    await record(
      tx,
      account,
      {
        kind: 'released',
        orderId,
        points,
        requested: points,
        shortfall: 0n,
        lifetimeDelta: 0n,
        tier: null,
        actor: 'order',
        reason,
      },
      now,
    );
  }
  return true;
}
