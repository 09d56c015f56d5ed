import type { Kysely, Selectable, Transaction } from 'kysely';
import type { PriceSource, StoredPrice } from '../domain/price-change.js';
import type { PriceRow } from '../domain/quote.js';
import type { PricesTable, PricingDB } from './tables.js';

/**
 * Prices and their override audit. Reads take any handle; writes take a `Transaction`, so a price
 * change, the closing of the row it replaces, its audit row and its event commit together.
 * Every statement is batched over all the rows of a request (PR-P1-02): no per-row queries.
 */
type Db = Kysely<PricingDB>;
type Tx = Transaction<PricingDB>;

export interface SeriesKey {
  sku: string;
  currency: string;
}

export interface NewPriceRow {
  id: string;
  sku: string;
  currency: string;
  amount: bigint;
  from: Date;
  to: Date | null;
  source: PriceSource;
  createdBy: string;
  now: Date;
}

export interface NewOverrideRow {
  id: string;
  priceId: string;
  sku: string;
  currency: string;
  oldAmount: bigint | null;
  newAmount: bigint;
  from: Date;
  conditions: string[];
  reason: string;
  actor: string;
  now: Date;
}

export interface HistoryEntry extends StoredPrice {
  override: { reason: string; actor: string; conditions: string[] } | null;
}

const toStored = (r: Selectable<PricesTable>): StoredPrice => ({
  id: r.id,
  sku: r.sku,
  currency: r.currency,
  amount: r.amount,
  effectiveFrom: r.effective_from,
  effectiveTo: r.effective_to,
  source: r.source,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

const seriesOrder = (a: SeriesKey, b: SeriesKey): number =>
  a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0;

export const priceRepository = {
  /**
   * Creates missing series rows and locks all of them, always in (sku, currency) order so two
   * batches touching the same series cannot deadlock. Concurrent changes of one series queue here.
   */
  async lockSeries(tx: Tx, keys: readonly SeriesKey[]): Promise<void> {
    if (keys.length === 0) return;
    const sorted = [...keys].sort(seriesOrder);
    await tx
      .insertInto('price_series')
      .values(sorted.map((k) => ({ sku: k.sku, currency: k.currency })))
      .onConflict((oc) => oc.columns(['sku', 'currency']).doNothing())
      .execute();
    await tx
      .selectFrom('price_series')
      .select(['sku', 'currency'])
      .where((eb) =>
        eb(
          eb.refTuple('sku', 'currency'),
          'in',
          sorted.map((k) => eb.tuple(k.sku, k.currency)),
        ),
      )
      .orderBy('sku')
      .orderBy('currency')
      .forUpdate()
      .execute();
  },

  /** Rows of these series still in effect at or after `since` (older rows are settled history). */
  async openRows(tx: Tx, keys: readonly SeriesKey[], since: Date): Promise<StoredPrice[]> {
    if (keys.length === 0) return [];
    const rows = await tx
      .selectFrom('prices')
      .selectAll()
      .where((eb) =>
        eb.and([
          eb(
            eb.refTuple('sku', 'currency'),
            'in',
            keys.map((k) => eb.tuple(k.sku, k.currency)),
          ),
          eb.or([eb('effective_to', 'is', null), eb('effective_to', '>', since)]),
        ]),
      )
      .orderBy('effective_from')
      .execute();
    return rows.map(toStored);
  },

  /** Closes many rows in one statement: each row's effective_to set to its own instant. */
  async closeRows(tx: Tx, closes: readonly { id: string; to: Date }[]): Promise<void> {
    if (closes.length === 0) return;
    await tx
      .updateTable('prices')
      .set((eb) => {
        // Parameters of a CASE are untyped text to PostgreSQL: cast each instant explicitly.
        const at = (to: Date) => eb.cast<Date>(eb.val(to), 'timestamptz');
        let kase = eb.case().when('id', '=', closes[0]!.id).then(at(closes[0]!.to));
        for (const c of closes.slice(1)) kase = kase.when('id', '=', c.id).then(at(c.to));
        return { effective_to: kase.end() };
      })
      .where(
        'id',
        'in',
        closes.map((c) => c.id),
      )
      .execute();
  },

  async insertPrices(tx: Tx, rows: readonly NewPriceRow[]): Promise<void> {
    if (rows.length === 0) return;
    await tx
      .insertInto('prices')
      .values(
        rows.map((r) => ({
          id: r.id,
          sku: r.sku,
          currency: r.currency,
          amount: r.amount,
          effective_from: r.from,
          effective_to: r.to,
          source: r.source,
          created_by: r.createdBy,
          created_at: r.now,
        })),
      )
      .execute();
  },

  async insertOverrides(tx: Tx, rows: readonly NewOverrideRow[]): Promise<void> {
    if (rows.length === 0) return;
    await tx
      .insertInto('price_overrides')
      .values(
        rows.map((r) => ({
          id: r.id,
          price_id: r.priceId,
          sku: r.sku,
          currency: r.currency,
          old_amount: r.oldAmount,
          new_amount: r.newAmount,
          effective_from: r.from,
          conditions: r.conditions,
          reason: r.reason,
          actor: r.actor,
          created_at: r.now,
        })),
      )
      .execute();
  },

  /** Current and upcoming prices of many skus in every currency: one query for a whole quote. */
  async currentAndUpcoming(db: Db, skus: readonly string[], now: Date): Promise<PriceRow[]> {
    if (skus.length === 0) return [];
    const rows = await db
      .selectFrom('prices')
      .select(['sku', 'currency', 'amount', 'effective_from', 'effective_to'])
      .where('sku', 'in', [...skus])
      .where((eb) => eb.or([eb('effective_to', 'is', null), eb('effective_to', '>', now)]))
      .execute();
    return rows.map((r) => ({
      sku: r.sku,
      currency: r.currency,
      amount: r.amount,
      effectiveFrom: r.effective_from,
      effectiveTo: r.effective_to,
    }));
  },

  /** One page of a sku's history, newest first (ids are UUIDv7); asks for `limit` rows. */
  async history(
    db: Db,
    sku: string,
    options: { currency?: string | undefined; beforeId?: string | undefined; limit: number },
  ): Promise<HistoryEntry[]> {
    let query = db
      .selectFrom('prices as p')
      .leftJoin('price_overrides as o', 'o.price_id', 'p.id')
      .selectAll('p')
      .select(['o.reason', 'o.actor', 'o.conditions'])
      .where('p.sku', '=', sku);
    if (options.currency) query = query.where('p.currency', '=', options.currency);
    if (options.beforeId) query = query.where('p.id', '<', options.beforeId);
    const rows = await query.orderBy('p.id', 'desc').limit(options.limit).execute();
    return rows.map((r) => ({
      ...toStored(r),
      override: r.reason !== null ? { reason: r.reason, actor: r.actor!, conditions: r.conditions! } : null,
    }));
  },
};
