import {
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type SqlBool,
  sql,
  type Transaction,
} from 'kysely';
import type { SegmentRules } from '../domain/segment-rules.js';
import type { CustomerDB, SegmentRow } from './tables.js';

type Db = Kysely<CustomerDB>;
type Tx = Transaction<CustomerDB>;
/** Customers as `c`, beside the rest of the schema. */
type WithC = CustomerDB & { c: CustomerDB['customers'] };
type Eb = ExpressionBuilder<WithC, 'c'>;

const DAY_MS = 86_400_000;

/**
 * The rules of a segment as one SQL predicate over `c` (customers). The same predicate serves the
 * per-customer evaluation (`c.id = $id`) and the nightly keyset pages (`c.id` in a range), so both
 * decide membership identically (SEG). Erased customers never match.
 */
export function rulesPredicate(rules: SegmentRules, now: Date): (eb: Eb) => Expression<SqlBool> {
  return (eb) => {
    const stats = () => eb.selectFrom('customer_stats as s').whereRef('s.customer_id', '=', 'c.id');
    const parts: Expression<SqlBool>[] = [eb('c.status', '<>', 'deleted')];
    if (rules.ordersAtLeast !== undefined)
      parts.push(
        eb(stats().select(sql<number>`COALESCE(sum(s.eff_orders), 0)`.as('n')), '>=', rules.ordersAtLeast),
      );
    if (rules.totalSpentAtLeast)
      parts.push(
        eb.exists(
          stats()
            .select(sql`1`.as('one'))
            .where('s.currency', '=', rules.totalSpentAtLeast.currency)
            .where(sql<SqlBool>`s.eff_spent >= ${rules.totalSpentAtLeast.amount}::bigint`),
        ),
      );
    if (rules.lastOrderWithinDays !== undefined) {
      const since = new Date(now.getTime() - rules.lastOrderWithinDays * DAY_MS);
      parts.push(eb.exists(stats().select(sql`1`.as('one')).where('s.eff_last_order_at', '>=', since)));
    }
    if (rules.countries)
      parts.push(
        eb.exists(
          eb
            .selectFrom('addresses as a')
            .select(sql`1`.as('one'))
            .whereRef('a.customer_id', '=', 'c.id')
            .where('a.is_default', '=', true)
            .where('a.country', 'in', rules.countries),
        ),
      );
    if (rules.registrationSources) parts.push(eb('c.registration_source', 'in', rules.registrationSources));
    return eb.and(parts);
  };
}

/** Which customers a membership statement covers: one id, or the keyset page `(after, last]`. */
export type CustomerRange = { id: string } | { after: string | null; last: string };

const inRange = (column: string, range: CustomerRange) => {
  const c = sql.ref(column);
  if ('id' in range) return sql<SqlBool>`${c} = ${range.id}`;
  return range.after === null
    ? sql<SqlBool>`${c} <= ${range.last}`
    : sql<SqlBool>`(${c} > ${range.after} AND ${c} <= ${range.last})`;
};

export const segmentRepository = {
  async applyMembership(
    tx: Tx,
    segment: Pick<SegmentRow, 'id' | 'rules'>,
    range: CustomerRange,
    now: Date,
  ): Promise<{ added: number; removed: number }> {
    const matches = rulesPredicate(segment.rules, now);
    // Only changes are written: existing members stay untouched, non-members are not deleted.
    const added = await tx
      .insertInto('segment_members')
      .columns(['segment_id', 'customer_id', 'added_at'])
      .expression(
        (tx as unknown as Kysely<WithC>)
          .selectFrom('customers as c')
          .select([
            sql<string>`${segment.id}::uuid`.as('segment_id'),
            'c.id',
            sql<Date>`${now}::timestamptz`.as('added_at'),
          ])
          .where(inRange('c.id', range))
          .where(matches),
      )
      .onConflict((oc) => oc.columns(['segment_id', 'customer_id']).doNothing())
      .executeTakeFirst();
    const removed = await tx
      .deleteFrom('segment_members as m')
      .where('m.segment_id', '=', segment.id)
      .where(inRange('m.customer_id', range))
      .where((eb) =>
        eb.not(
          eb.exists(
            (eb as unknown as ExpressionBuilder<WithC & { m: CustomerDB['segment_members'] }, 'm'>)
              .selectFrom('customers as c')
              .select(sql`1`.as('one'))
              .whereRef('c.id', '=', 'm.customer_id')
              .where(matches as never),
          ),
        ),
      )
      .executeTakeFirst();
    return { added: Number(added.numInsertedOrUpdatedRows ?? 0n), removed: Number(removed.numDeletedRows) };
  },

  /** The next keyset page of customer ids after `after` (id order). */
  async customerPage(db: Db, after: string | null, size: number): Promise<string[]> {
    let q = db.selectFrom('customers').select('id').orderBy('id').limit(size);
    if (after !== null) q = q.where('id', '>', after);
    return (await q.execute()).map((r) => r.id);
  },

  activeSegments: (db: Db): Promise<SegmentRow[]> =>
    db.selectFrom('segments').selectAll().where('active', '=', true).orderBy('id').execute(),

  segmentIdsOf: async (db: Db, customerId: string): Promise<string[]> =>
    (
      await db
        .selectFrom('segment_members as m')
        .innerJoin('segments as s', 's.id', 'm.segment_id')
        .select('m.segment_id')
        .where('m.customer_id', '=', customerId)
        .where('s.active', '=', true)
        .orderBy('m.segment_id')
        .execute()
    ).map((r) => r.segment_id),
};
