import { type Kysely, sql, type Transaction } from 'kysely';
import type { ExchangeRate } from '../domain/exchange.js';
import type { PricingDB } from './tables.js';

/** Exchange rates (every fetch kept) and tax rates per country. Lists are keyset-paginated. */
type Db = Kysely<PricingDB>;
type Tx = Transaction<PricingDB>;

export interface StoredRate extends ExchangeRate {
  source: string;
}

export interface NewRateRow {
  id: string;
  base: string;
  quote: string;
  rate: string;
  fetchedAt: Date;
  source: string;
  createdBy: string;
  now: Date;
}

export interface TaxRate {
  country: string;
  rateBps: number;
  updatedAt: Date;
}

// numeric is read back as its exact decimal text, never as a JS number.
const rateText = sql<string>`rate::text`.as('rate');

export const rateRepository = {
  /** Inserts rates; a fetch already stored (same pair, source and time) is skipped. Returns how many were new. */
  async insertRates(tx: Tx, rows: readonly NewRateRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const inserted = await tx
      .insertInto('exchange_rates')
      .values(
        rows.map((r) => ({
          id: r.id,
          base: r.base,
          quote: r.quote,
          rate: r.rate,
          fetched_at: r.fetchedAt,
          source: r.source,
          created_by: r.createdBy,
          created_at: r.now,
        })),
      )
      .onConflict((oc) => oc.columns(['base', 'quote', 'source', 'fetched_at']).doNothing())
      .returning('id')
      .execute();
    return inserted.length;
  },

  /** The latest rate of each of these pairs (one query). */
  async latestRates(db: Db, pairs: readonly [string, string][]): Promise<StoredRate[]> {
    if (pairs.length === 0) return [];
    const rows = await db
      .selectFrom('exchange_rates')
      .distinctOn(['base', 'quote'])
      .select(['base', 'quote', rateText, 'fetched_at', 'source'])
      .where((eb) =>
        eb(
          eb.refTuple('base', 'quote'),
          'in',
          pairs.map(([b, q]) => eb.tuple(b, q)),
        ),
      )
      .orderBy('base')
      .orderBy('quote')
      .orderBy('fetched_at', 'desc')
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((r) => ({
      base: r.base,
      quote: r.quote,
      rate: r.rate,
      fetchedAt: r.fetched_at,
      source: r.source,
    }));
  },

  /** A page of the latest rate per pair, ordered by pair, after the pair `after`. */
  async listLatest(db: Db, after: [string, string] | undefined, limit: number): Promise<StoredRate[]> {
    let query = db
      .selectFrom('exchange_rates')
      .distinctOn(['base', 'quote'])
      .select(['base', 'quote', rateText, 'fetched_at', 'source']);
    if (after)
      query = query.where((eb) => eb(eb.refTuple('base', 'quote'), '>', eb.tuple(after[0], after[1])));
    const rows = await query
      .orderBy('base')
      .orderBy('quote')
      .orderBy('fetched_at', 'desc')
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      base: r.base,
      quote: r.quote,
      rate: r.rate,
      fetchedAt: r.fetched_at,
      source: r.source,
    }));
  },

  async upsertTaxRate(
    tx: Tx,
    row: { country: string; rateBps: number; actor: string; now: Date },
  ): Promise<TaxRate> {
    const saved = await tx
      .insertInto('tax_rates')
      .values({ country: row.country, rate_bps: row.rateBps, updated_by: row.actor, updated_at: row.now })
      .onConflict((oc) =>
        oc
          .column('country')
          .doUpdateSet({ rate_bps: row.rateBps, updated_by: row.actor, updated_at: row.now }),
      )
      .returning(['country', 'rate_bps', 'updated_at'])
      .executeTakeFirstOrThrow();
    return { country: saved.country, rateBps: saved.rate_bps, updatedAt: saved.updated_at };
  },

  async findTaxRate(db: Db, country: string): Promise<TaxRate | undefined> {
    const row = await db
      .selectFrom('tax_rates')
      .select(['country', 'rate_bps', 'updated_at'])
      .where('country', '=', country)
      .executeTakeFirst();
    return row ? { country: row.country, rateBps: row.rate_bps, updatedAt: row.updated_at } : undefined;
  },

  async listTaxRates(db: Db, after: string | undefined, limit: number): Promise<TaxRate[]> {
    let query = db.selectFrom('tax_rates').select(['country', 'rate_bps', 'updated_at']);
    if (after) query = query.where('country', '>', after);
    const rows = await query.orderBy('country').limit(limit).execute();
    return rows.map((r) => ({ country: r.country, rateBps: r.rate_bps, updatedAt: r.updated_at }));
  },
};
