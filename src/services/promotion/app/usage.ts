import type { Transaction } from 'kysely';
import type { Ctx } from '../../../platform/context.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { publish, transaction } from '../../../platform/eventing/index.js';
import type { RefusalReason, ReserveRequest, ReserveResult } from '../contract/client.js';
import { promotionRepository as promotions } from '../data/promotion.repository.js';
import type { PromotionDB, RedemptionStatus } from '../data/tables.js';
import { type ChangedRedemption, usageRepository as usage } from '../data/usage.repository.js';
import { windowState } from '../domain/promotion.js';
import type { PromotionDeps } from './deps.js';

/** Thrown inside the reservation transaction to roll every counter of it back. */
class Refused extends Error {
  constructor(readonly result: Extract<ReserveResult, { ok: false }>) {
    super(`promotion ${result.promotionId} refused: ${result.reason}`);
  }
}

const isUniqueViolation = (err: unknown) => (err as { code?: string } | undefined)?.code === '23505';

async function announce(
  tx: Transaction<PromotionDB>,
  change: 'reserved' | 'confirmed' | 'released',
  rows: readonly ChangedRedemption[],
  reason: string | null,
  now: Date,
): Promise<void> {
  for (const r of rows)
    await publish(tx, 'promotion.usage.changed', r.promotion_id, {
      promotionId: r.promotion_id,
      orderId: r.order_id,
      customerId: r.customer_id,
      change,
      discount: { amount: r.discount.toString(), currency: r.currency },
      uses: Number(r.uses),
      discountUsed: { amount: r.discount_used.toString(), currency: r.currency },
      reason,
      occurredAt: now.toISOString(),
    });
}

/** Why a reservation statement took nothing: read in the same transaction, before the rollback. */
async function refusalReason(
  tx: Transaction<PromotionDB>,
  promotionId: string,
  customerId: string | null,
  discount: bigint,
  now: Date,
): Promise<RefusalReason> {
  const row = await promotions.find(tx, promotionId);
  if (!row) return 'expired';
  const window = windowState({ startsAt: row.starts_at, endsAt: row.ends_at }, now);
  if (window !== 'open') return window;
  if (row.usage_limit !== null && row.uses >= row.usage_limit) return 'limit_reached';
  if (row.budget !== null && BigInt(row.discount_used) + discount > BigInt(row.budget))
    return 'budget_exhausted';
  if (row.per_customer_limit !== null && customerId === null) return 'sign_in_required';
  return 'customer_limit_reached';
}

/**
 * The checkout saga's "reserve promotion usage" step (PM-P0-01): every promotion of the order in
 * ONE transaction, each through one conditional statement; any refusal rolls all of them back and
 * names the promotion and why. Idempotent per order: a repeat of a reservation that holds answers ok.
 */
export async function reserveUsage(
  _ctx: Ctx,
  deps: PromotionDeps,
  request: ReserveRequest,
): Promise<ReserveResult> {
  if (request.promotions.length === 0) return { ok: true };
  const wanted = new Set(request.promotions.map((p) => p.promotionId));
  const holds = async () => {
    const held = await usage.forOrder(deps.db, request.orderId);
    return (
      held.length === wanted.size && held.every((h) => h.status === 'reserved' && wanted.has(h.promotion_id))
    );
  };
  if (await holds()) return { ok: true };
  const now = deps.clock.now();
  try {
    await transaction(deps.db, async (tx) => {
      const sorted = [...request.promotions].sort((a, b) => (a.promotionId < b.promotionId ? -1 : 1));
      for (const p of sorted) {
        // Sorted ids: two orders with the same promotions lock them in the same order (no deadlock).
        const { redeemed } = await usage.reserve(tx, {
          promotionId: p.promotionId,
          orderId: request.orderId,
          customerId: request.customerId,
          code: null,
          discount: p.amount.amount,
          currency: request.currency,
          orderTotal: request.orderTotal.amount,
          now,
        });
        if (!redeemed) {
          const row = await promotions.find(tx, p.promotionId);
          throw new Refused({
            ok: false,
            promotionId: p.promotionId,
            code: row?.code ?? null,
            reason: await refusalReason(tx, p.promotionId, request.customerId, p.amount.amount, now),
          });
        }
      }
      const rows = await usage.forOrder(tx, request.orderId);
      const counters = new Map(
        (await Promise.all(rows.map((r) => promotions.find(tx, r.promotion_id)))).map((p) => [p!.id, p!]),
      );
      await announce(
        tx,
        'reserved',
        rows.map((r) => ({
          ...r,
          uses: counters.get(r.promotion_id)!.uses,
          discount_used: BigInt(counters.get(r.promotion_id)!.discount_used),
        })),
        null,
        now,
      );
    });
    deps.rulesCache.clear(); // the counters cart views show moved
    return { ok: true };
  } catch (err) {
    if (err instanceof Refused) return err.result;
    if (isUniqueViolation(err)) {
      // A parallel reservation of the same order won and holds the usage: the same outcome.
      if (await holds()) return { ok: true };
      throw new AppError(
        'conflict',
        'redemption_exists',
        `Order ${request.orderId} already redeemed a promotion`,
        {
          cause: err,
        },
      );
    }
    throw err;
  }
}

/** Releases the order's usage held in `from` (idempotent: a repeat finds nothing to release). */
export async function releaseUsage(
  deps: PromotionDeps,
  tx: Transaction<PromotionDB>,
  orderId: string,
  from: readonly RedemptionStatus[],
  reason: string,
): Promise<number> {
  const now = deps.clock.now();
  const rows = await usage.release(tx, orderId, from, reason, now);
  await announce(tx, 'released', rows, reason, now);
  return rows.length;
}

export async function confirmUsage(
  deps: PromotionDeps,
  tx: Transaction<PromotionDB>,
  orderId: string,
): Promise<number> {
  const now = deps.clock.now();
  const rows = await usage.confirm(tx, orderId, now);
  await announce(tx, 'confirmed', rows, null, now);
  return rows.length;
}

/** The saga's compensation: a checkout that failed after reserving gives the usage back. */
export async function releaseCheckoutUsage(deps: PromotionDeps, orderId: string, reason: string) {
  const released = await transaction(deps.db, (tx) => releaseUsage(deps, tx, orderId, ['reserved'], reason));
  if (released > 0) deps.rulesCache.clear();
  return released;
}
