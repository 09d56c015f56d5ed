import { actorId, type Ctx } from '../../../platform/context.js';
import { AppError, conflict, notFound } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import { isUuid } from '../../../platform/ids.js';
import type { TransactionRow } from '../data/tables.js';
import type { LoyaltyDeps } from './deps.js';
import { lockAccount, record } from './ledger.js';

/**
 * An admin's manual adjustment: signed points with a reason, audited in the ledger with the
 * actor. A debit larger than the balance is refused (409 insufficient_points): the balance never
 * goes negative. With an Idempotency-Key a retried request applies once and answers the same
 * transaction; the same key with another body is 422 idempotency_key_reused.
 */
export async function adjustPoints(
  ctx: Ctx,
  deps: LoyaltyDeps,
  customerId: string,
  input: { points: number; reason: string },
  idempotencyKey: string | undefined,
): Promise<{ transaction: TransactionRow; replayed: boolean }> {
  if (!isUuid(customerId)) throw notFound('Loyalty account', customerId.slice(0, 64));
  const now = deps.clock.now();
  return transaction(deps.db, async (tx) => {
    const account = await lockAccount(tx, customerId, now, false);
    if (!account) throw notFound('Loyalty account', customerId);
    if (idempotencyKey) {
      const earlier = await tx
        .selectFrom('transactions')
        .selectAll()
        .where('customer_id', '=', customerId)
        .where('idempotency_key', '=', idempotencyKey)
        .executeTakeFirst();
      if (earlier) {
        if (Number(earlier.requested) !== input.points || earlier.reason !== input.reason)
          throw new AppError(
            'unprocessable',
            'idempotency_key_reused',
            'This Idempotency-Key was used with a different adjustment',
          );
        return { transaction: earlier, replayed: true };
      }
    }
    const points = BigInt(input.points);
    if (BigInt(account.balance) + points < 0n)
      throw conflict(
        `The balance is ${account.balance} points; a debit of ${-points} would make it negative`,
        'insufficient_points',
      );
    const row = await record(
      tx,
      account,
      {
        kind: 'adjusted',
        orderId: null,
        points,
        requested: points,
        shortfall: 0n,
        // Goodwill credits count towards tiers; debits take them back.
        lifetimeDelta: points,
        tier: null,
        actor: actorId(ctx),
        reason: input.reason,
        idempotencyKey: idempotencyKey ?? null,
      },
      now,
    );
    ctx.logger.info({ customerId, points: input.points, actor: actorId(ctx) }, 'loyalty points adjusted');
    return { transaction: row, replayed: false };
  });
}
