import { type Kysely, sql, type Transaction } from 'kysely';
import type { PromotionDB, RedemptionStatus } from './tables.js';

type Db = Kysely<PromotionDB> | Transaction<PromotionDB>;

/** Raw SQL is not rewritten by `withSchema`: tables carry the schema (the service name) explicitly. */
const SCHEMA = 'promotion';
const T = {
  promotions: sql.table(`${SCHEMA}.promotions`),
  customerUsage: sql.table(`${SCHEMA}.customer_usage`),
  redemptions: sql.table(`${SCHEMA}.redemptions`),
};
type Tx = Transaction<PromotionDB>;

export interface ReserveRow {
  promotionId: string;
  orderId: string;
  customerId: string | null;
  code: string | null;
  discount: bigint;
  currency: string;
  orderTotal: bigint;
  now: Date;
}

export interface ChangedRedemption {
  promotion_id: string;
  order_id: string;
  customer_id: string | null;
  discount: bigint;
  currency: string;
  uses: number;
  discount_used: bigint;
}

export const usageRepository = {
  /**
   * PM-P0-01: takes one use of the promotion for the order in ONE conditional statement: the
   * customer's counter is raised only below the per-customer limit (an upsert, which locks and
   * re-checks the newest row), the promotion's counters only while the promotion is live, inside
   * its window, below its usage limit, within its budget with this discount, and when the customer
   * counter moved; the redemption row is written only when both did. Returns whether each part
   * happened; the caller rolls the transaction back unless the redemption was written (the
   * customer counter may have moved alone). A second reservation of the same (promotion, order)
   * fails on the redemption's primary key, rolling everything back.
   */
  async reserve(tx: Tx, r: ReserveRow): Promise<{ redeemed: boolean }> {
    const { rows } = await sql<{ redeemed: boolean }>`
      WITH customer AS (
        INSERT INTO ${T.customerUsage} AS cu (promotion_id, customer_id, uses)
        SELECT p.id, ${r.customerId}::uuid, 1 FROM ${T.promotions} p
        WHERE p.id = ${r.promotionId} AND p.per_customer_limit IS NOT NULL AND ${r.customerId}::uuid IS NOT NULL
        ON CONFLICT (promotion_id, customer_id) DO UPDATE SET uses = cu.uses + 1
        WHERE cu.uses < (SELECT per_customer_limit FROM ${T.promotions} WHERE id = excluded.promotion_id)
        RETURNING uses
      ), promotion AS (
        UPDATE ${T.promotions} SET uses = uses + 1, discount_used = discount_used + ${r.discount}::bigint
        WHERE id = ${r.promotionId} AND deleted_at IS NULL
          AND (starts_at IS NULL OR starts_at <= ${r.now}) AND (ends_at IS NULL OR ends_at > ${r.now})
          AND (usage_limit IS NULL OR uses < usage_limit)
          AND (budget IS NULL OR discount_used + ${r.discount}::bigint <= budget)
          AND (per_customer_limit IS NULL OR EXISTS (SELECT 1 FROM customer))
        RETURNING id, code
      ), redemption AS (
        INSERT INTO ${T.redemptions} (promotion_id, order_id, customer_id, code, discount, currency, order_total,
          status, reserved_at)
        SELECT id, ${r.orderId}, ${r.customerId}::uuid, code, ${r.discount}::bigint, ${r.currency},
          ${r.orderTotal}::bigint, 'reserved', ${r.now} FROM promotion
        RETURNING promotion_id
      )
      SELECT EXISTS (SELECT 1 FROM redemption) AS redeemed`.execute(tx);
    return { redeemed: rows[0]?.redeemed === true };
  },

  /** The order's redemptions, for idempotent replays and for the reason of a refusal. */
  forOrder: (db: Db, orderId: string) =>
    db.selectFrom('redemptions').selectAll().where('order_id', '=', orderId).execute(),

  /** reserved → confirmed (delivery). Returns what changed; a repeat changes nothing. */
  async confirm(tx: Tx, orderId: string, now: Date): Promise<ChangedRedemption[]> {
    const { rows } = await sql<ChangedRedemption>`
      WITH changed AS (
        UPDATE ${T.redemptions} SET status = 'confirmed', confirmed_at = ${now}
        WHERE order_id = ${orderId} AND status = 'reserved'
        RETURNING promotion_id, order_id, customer_id, discount, currency
      )
      SELECT c.*, p.uses, p.discount_used FROM changed c JOIN ${T.promotions} p ON p.id = c.promotion_id
      ORDER BY c.promotion_id`.execute(tx);
    return rows;
  },

  /**
   * Releases the order's usage in `from` statuses: the redemption turns `released` (the guard: a
   * repeat finds nothing) and the promotion's and the customer's counters drop by what it held.
   */
  async release(
    tx: Tx,
    orderId: string,
    from: readonly RedemptionStatus[],
    reason: string,
    now: Date,
  ): Promise<ChangedRedemption[]> {
    const { rows } = await sql<ChangedRedemption>`
      WITH changed AS (
        UPDATE ${T.redemptions} SET status = 'released', released_at = ${now}, release_reason = ${reason}
        WHERE order_id = ${orderId} AND status = ANY(${sql.val([...from])}::text[])
        RETURNING promotion_id, order_id, customer_id, discount, currency
      ), customer AS (
        UPDATE ${T.customerUsage} u SET uses = u.uses - 1 FROM changed c
        WHERE u.promotion_id = c.promotion_id AND u.customer_id = c.customer_id
        RETURNING u.promotion_id
      ), promotion AS (
        UPDATE ${T.promotions} p SET uses = p.uses - 1, discount_used = p.discount_used - c.discount
        FROM changed c WHERE p.id = c.promotion_id
        RETURNING p.id, p.uses, p.discount_used
      )
      SELECT c.*, p.uses, p.discount_used, (SELECT count(*) FROM customer) AS customers
      FROM changed c JOIN promotion p ON p.id = c.promotion_id
      ORDER BY c.promotion_id`.execute(tx);
    return rows;
  },

  /** PM-P1-02, computed from the redemptions: per currency, uses and money of orders that kept it. */
  async stats(db: Db, promotionId: string) {
    const { rows } = await sql<{
      currency: string;
      uses: bigint;
      confirmed: bigint;
      released: bigint;
      discount_given: string | null;
      revenue: string | null;
    }>`
      SELECT currency,
             count(*) FILTER (WHERE status <> 'released') AS uses,
             count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
             count(*) FILTER (WHERE status = 'released') AS released,
             sum(discount) FILTER (WHERE status <> 'released') AS discount_given,
             sum(order_total) FILTER (WHERE status <> 'released') AS revenue
      FROM ${T.redemptions} WHERE promotion_id = ${promotionId}
      GROUP BY currency ORDER BY currency`.execute(db);
    return rows.map((r) => ({
      currency: r.currency,
      uses: Number(r.uses),
      confirmed: Number(r.confirmed),
      released: Number(r.released),
      discountGiven: BigInt(r.discount_given ?? '0'),
      revenue: BigInt(r.revenue ?? '0'),
    }));
  },
};
