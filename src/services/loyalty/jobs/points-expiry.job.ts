import { type JobContext, type JobDeclaration, transaction } from '../../../platform/eventing/index.js';
import type { LoyaltyDeps } from '../app/deps.js';
import { lockAccount, record } from '../app/ledger.js';

const MAX_BATCHES = 100;
const DAY_MS = 86_400_000;

/**
 * Points expiry (LOYALTY_POINTS_EXPIRY_DAYS): a balance lapses when the account has earned
 * nothing for that many days. Keyset batches over the partial index of accounts with a balance;
 * each account in its own transaction, re-checked under its lock (an earning meanwhile keeps it).
 */
export function pointsExpiryJob(deps: LoyaltyDeps, cron: string): JobDeclaration {
  return {
    name: 'points-expiry',
    cron,
    maxStalenessSeconds: 2 * 86_400,
    startupDelayMs: 60_000,
    async handler(ctx: JobContext) {
      const now = deps.clock.now();
      const cutoff = new Date(now.getTime() - deps.settings.expiryDays * DAY_MS);
      const size = deps.settings.batchSize;
      let after: string | null = null;
      let expired = 0;
      for (let batch = 0; batch < MAX_BATCHES && !ctx.signal.aborted; batch++) {
        let q = deps.db
          .selectFrom('accounts')
          .select('customer_id')
          .where('balance', '>', '0')
          .where('erased_at', 'is', null)
          .where((eb) => eb.or([eb('last_earned_at', '<', cutoff), eb('last_earned_at', 'is', null)]))
          .orderBy('customer_id')
          .limit(size);
        if (after !== null) q = q.where('customer_id', '>', after);
        const due = await q.execute();
        for (const { customer_id } of due) {
          const done = await transaction(deps.db, async (tx) => {
            const account = await lockAccount(tx, customer_id, now, false);
            if (!account || BigInt(account.balance) === 0n) return false;
            if (account.last_earned_at && account.last_earned_at >= cutoff) return false;
            const balance = BigInt(account.balance);
            await record(
              tx,
              account,
              {
                kind: 'expired',
                orderId: null,
                points: -balance,
                requested: balance,
                shortfall: 0n,
                lifetimeDelta: 0n,
                tier: null,
                actor: 'points-expiry',
                reason: `no points earned for ${deps.settings.expiryDays} days`,
              },
              now,
            );
            return true;
          });
          if (done) expired++;
        }
        const last = due.at(-1);
        if (!last || due.length < size) break;
        after = last.customer_id;
      }
      ctx.logger.info({ expired }, 'loyalty points expired');
      return { items: expired };
    },
  };
}
