import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { PromotionRule, RuleInput } from '../domain/promotion.js';
import type { PromotionDB, PromotionsTable, StoredConditions } from './tables.js';

type Db = Kysely<PromotionDB> | Transaction<PromotionDB>;
export type PromotionRow = Selectable<PromotionsTable>;

const live = (db: Db) => db.selectFrom('promotions').selectAll().where('deleted_at', 'is', null);

/** The domain rule of a row (conditions' amounts back to bigint). */
export function toRule(row: PromotionRow): PromotionRule {
  const c = row.conditions;
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    type: row.type,
    value: BigInt(row.value),
    currency: row.currency,
    buyQuantity: row.buy_quantity,
    getQuantity: row.get_quantity,
    conditions: {
      ...(c.minSubtotal !== undefined ? { minSubtotal: BigInt(c.minSubtotal) } : {}),
      ...(c.skus ? { skus: c.skus } : {}),
      ...(c.categories ? { categories: c.categories } : {}),
      ...(c.segments ? { segments: c.segments } : {}),
      ...(c.firstOrder !== undefined ? { firstOrder: c.firstOrder } : {}),
    },
    usageLimit: row.usage_limit,
    perCustomerLimit: row.per_customer_limit,
    budget: row.budget === null ? null : BigInt(row.budget),
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    stackable: row.stackable,
    priority: row.priority,
    createdAt: row.created_at,
  };
}

function storedConditions(rule: RuleInput): string {
  const c = rule.conditions;
  const stored: StoredConditions = {
    ...(c.minSubtotal !== undefined ? { minSubtotal: c.minSubtotal.toString() } : {}),
    ...(c.skus && c.skus.length > 0 ? { skus: [...c.skus] } : {}),
    ...(c.categories && c.categories.length > 0 ? { categories: [...c.categories] } : {}),
    ...(c.segments && c.segments.length > 0 ? { segments: [...c.segments] } : {}),
    ...(c.firstOrder !== undefined ? { firstOrder: c.firstOrder } : {}),
  };
  return JSON.stringify(stored);
}

const columns = (rule: RuleInput) => ({
  code: rule.code,
  name: rule.name,
  type: rule.type,
  value: rule.value,
  currency: rule.currency,
  buy_quantity: rule.buyQuantity,
  get_quantity: rule.getQuantity,
  conditions: storedConditions(rule),
  usage_limit: rule.usageLimit,
  per_customer_limit: rule.perCustomerLimit,
  budget: rule.budget,
  starts_at: rule.startsAt,
  ends_at: rule.endsAt,
  stackable: rule.stackable,
  priority: rule.priority,
});

export const promotionRepository = {
  async insert(tx: Db, id: string, rule: RuleInput, now: Date): Promise<PromotionRow> {
    return tx
      .insertInto('promotions')
      .values({ id, ...columns(rule), deleted_at: null, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  /** Replaces the rule's fields when the row is still at `version` (optimistic: a parallel edit loses). */
  async update(tx: Db, id: string, version: number, rule: RuleInput, now: Date) {
    return tx
      .updateTable('promotions')
      .set((eb) => ({ ...columns(rule), version: eb('version', '+', 1), updated_at: now }))
      .where('id', '=', id)
      .where('version', '=', version)
      .where('deleted_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
  },

  async softDelete(tx: Db, id: string, now: Date): Promise<boolean> {
    const r = await tx
      .updateTable('promotions')
      .set((eb) => ({ deleted_at: now, updated_at: now, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  },

  find: (db: Db, id: string) => live(db).where('id', '=', id).executeTakeFirst(),

  /** Newest first, keyset on the id (UUIDv7). */
  async list(db: Db, limit: number, before: string | undefined): Promise<PromotionRow[]> {
    let q = live(db);
    if (before) q = q.where('id', '<', before);
    return q.orderBy('id', 'desc').limit(limit).execute();
  },

  /** Every live promotion at `priority` (conflict detection; one priority holds few rules). */
  atPriority: (tx: Db, priority: number) => live(tx).where('priority', '=', priority).execute(),

  /** Serializes rule changes at one priority so two parallel creates cannot both miss the conflict. */
  async lockPriority(tx: Transaction<PromotionDB>, priority: number): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtext('promotion.priority'), ${priority})`.execute(tx);
  },

  /** The automatic promotions and those of `codes`: what a cart evaluation needs, in ONE statement. */
  async forQuote(db: Db, codes: readonly string[]): Promise<PromotionRow[]> {
    return live(db)
      .where((eb) =>
        codes.length > 0 ? eb.or([eb('code', 'is', null), eb('code', 'in', codes)]) : eb('code', 'is', null),
      )
      .execute();
  },

  async liveCodes(db: Db, codes: readonly string[]): Promise<string[]> {
    if (codes.length === 0) return [];
    const rows = await live(db).where('code', 'in', codes).execute();
    return rows.map((r) => r.code!);
  },

  /** This customer's uses of each of `ids`. */
  async customerUses(db: Db, ids: readonly string[], customerId: string): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .selectFrom('customer_usage')
      .select(['promotion_id', 'uses'])
      .where('customer_id', '=', customerId)
      .where('promotion_id', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.promotion_id, r.uses]));
  },
};
