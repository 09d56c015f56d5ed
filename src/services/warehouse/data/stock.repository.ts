import { CompiledQuery, type Kysely, sql, type Transaction } from 'kysely';
import { newId } from '../../../platform/ids.js';
import { SCHEMA, table, values } from './sql.js';
import type { LedgerReason, WarehouseDB } from './tables.js';

/**
 * Stock, ledger and capacity data access. Quantities change ONLY through `applyStockDeltas`, an
 * atomic conditional update (G1, WH-P0-01): the new values are computed by PostgreSQL from the
 * locked row and refused unless every constraint would still hold; the caller compares the
 * returned rows with what it asked for. Every caller writes the matching ledger rows in the same
 * transaction (WH-P1-03).
 */
type Db = Kysely<WarehouseDB>;
type Tx = Transaction<WarehouseDB>;

export interface StockDelta {
  warehouseId: string;
  sku: string;
  deltaOnHand: number;
  deltaReserved: number;
}

export interface StockRow {
  warehouseId: string;
  sku: string;
  onHand: number;
  reserved: number;
  lowStockThreshold: number | null;
}

export interface LedgerEntry {
  warehouseId: string;
  sku: string;
  deltaOnHand: number;
  deltaReserved: number;
  reason: LedgerReason;
  reference: string | null;
  note?: string | null | undefined;
  actor: string;
}

export interface CandidateRow {
  warehouseId: string;
  sku: string;
  available: number;
  lat: number;
  lng: number;
  capacityRemaining: number;
}

interface RawStockRow {
  warehouse_id: string;
  sku: string;
  on_hand: number;
  reserved: number;
  low_stock_threshold: number | null;
}

const toStockRow = (r: RawStockRow): StockRow => ({
  warehouseId: r.warehouse_id,
  sku: r.sku,
  onHand: r.on_hand,
  reserved: r.reserved,
  lowStockThreshold: r.low_stock_threshold,
});

// sum() of integers is numeric: read as text, converted once.
const AVAILABILITY_SQL = `SELECT s.sku, sum(s.on_hand - s.reserved)::text AS available
FROM "${SCHEMA}".stock AS s JOIN "${SCHEMA}".warehouses AS w ON w.id = s.warehouse_id
WHERE w.status = 'active' AND s.sku = ANY($1::text[])
GROUP BY s.sku`;

const pairKey = (warehouseId: string, sku: string) => `${warehouseId} ${sku}`;

/** One delta per (warehouse, sku): an UPDATE … FROM joins each target row at most once. */
export function mergeDeltas(deltas: readonly StockDelta[]): StockDelta[] {
  const merged = new Map<string, StockDelta>();
  for (const d of deltas) {
    const key = pairKey(d.warehouseId, d.sku);
    const seen = merged.get(key);
    if (seen) {
      seen.deltaOnHand += d.deltaOnHand;
      seen.deltaReserved += d.deltaReserved;
    } else merged.set(key, { ...d });
  }
  return [...merged.values()];
}

export const stockRepository = {
  /**
   * Everything allocation needs in one query: per sku, the active warehouses with stock of it,
   * their location and their capacity left on `day`.
   */
  async readCandidates(db: Db | Tx, skus: readonly string[], day: string): Promise<CandidateRow[]> {
    if (skus.length === 0) return [];
    const { rows } = await sql<{
      warehouse_id: string;
      sku: string;
      available: number;
      lat: string;
      lng: string;
      capacity_remaining: number;
    }>`
      SELECT s.warehouse_id, s.sku, s.on_hand - s.reserved AS available, w.lat, w.lng,
             w.capacity_per_day - COALESCE(c.units, 0) AS capacity_remaining
      FROM ${table('stock')} AS s
      JOIN ${table('warehouses')} AS w ON w.id = s.warehouse_id AND w.status = 'active'
      LEFT JOIN ${table('capacity_usage')} AS c ON c.warehouse_id = s.warehouse_id AND c.day = ${day}::date
      WHERE s.sku IN (${sql.join([...skus])}) AND s.on_hand > s.reserved`.execute(db);
    return rows.map((r) => ({
      warehouseId: r.warehouse_id,
      sku: r.sku,
      available: r.available,
      lat: Number(r.lat),
      lng: Number(r.lng),
      capacityRemaining: r.capacity_remaining,
    }));
  },

  /**
   * G1 / WH-P0-01 / WH-P0-03: one conditional UPDATE for all deltas. A row changes only if its new
   * on_hand and reserved stay within the constraints (e.g. `on_hand - reserved >= n` for a
   * reservation); on PostgreSQL a concurrent change makes the locked row be re-checked against
   * its newest version. Returns the rows that changed, with their new values: fewer rows than
   * deltas means a lost race or a refused change, and the caller rolls back.
   */
  async applyStockDeltas(tx: Tx, deltas: readonly StockDelta[], now: Date): Promise<StockRow[]> {
    const merged = mergeDeltas(deltas);
    if (merged.length === 0) return [];
    const rows = merged.map(
      (d) => sql`(${d.warehouseId}::uuid, ${d.sku}::text, ${d.deltaOnHand}::int, ${d.deltaReserved}::int)`,
    );
    const result = await sql<RawStockRow>`
      UPDATE ${table('stock')} AS s
      SET on_hand = s.on_hand + v.d_on_hand, reserved = s.reserved + v.d_reserved,
          version = s.version + 1, updated_at = ${now}
      FROM ${values(rows)} AS v(warehouse_id, sku, d_on_hand, d_reserved)
      WHERE s.warehouse_id = v.warehouse_id AND s.sku = v.sku
        AND s.on_hand + v.d_on_hand >= 0
        AND s.reserved + v.d_reserved >= 0
        AND (s.on_hand + v.d_on_hand) - (s.reserved + v.d_reserved) >= 0
      RETURNING s.warehouse_id, s.sku, s.on_hand, s.reserved, s.low_stock_threshold`.execute(tx);
    return result.rows.map(toStockRow);
  },

  /**
   * Sets on_hand to absolute values (admin set and import). The row is locked first (FOR UPDATE in
   * the same statement), so the ledger delta is computed from the value actually replaced; a
   * target below `reserved` changes nothing and is missing from the result.
   */
  async setOnHand(
    tx: Tx,
    targets: readonly { warehouseId: string; sku: string; onHand: number }[],
    now: Date,
  ): Promise<(StockRow & { before: number })[]> {
    if (targets.length === 0) return [];
    const rows = targets.map((t) => sql`(${t.warehouseId}::uuid, ${t.sku}::text, ${t.onHand}::int)`);
    const result = await sql<RawStockRow & { before: number }>`
      WITH v(warehouse_id, sku, on_hand) AS ${values(rows)},
      old AS MATERIALIZED (
        SELECT s.warehouse_id, s.sku, s.on_hand FROM ${table('stock')} AS s
        JOIN v ON v.warehouse_id = s.warehouse_id AND v.sku = s.sku
        FOR UPDATE OF s
      )
      UPDATE ${table('stock')} AS s
      SET on_hand = v.on_hand, version = s.version + 1, updated_at = ${now}
      FROM v JOIN old ON old.warehouse_id = v.warehouse_id AND old.sku = v.sku
      WHERE s.warehouse_id = v.warehouse_id AND s.sku = v.sku AND s.reserved <= v.on_hand
      RETURNING s.warehouse_id, s.sku, s.on_hand, s.reserved, s.low_stock_threshold, old.on_hand AS before`.execute(
      tx,
    );
    return result.rows.map((r) => ({ ...toStockRow(r), before: r.before }));
  },

  /** Opens zero stock rows (idempotent); quantities then change through the conditional updates. */
  async ensureRows(tx: Tx, pairs: readonly { warehouseId: string; sku: string }[], now: Date): Promise<void> {
    if (pairs.length === 0) return;
    await tx
      .insertInto('stock')
      .values(
        pairs.map((p) => ({
          warehouse_id: p.warehouseId,
          sku: p.sku,
          on_hand: 0,
          reserved: 0,
          updated_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['warehouse_id', 'sku']).doNothing())
      .execute();
  },

  /** A zero row for `sku` in every active warehouse (catalog.product.created). */
  async openSkuEverywhere(tx: Tx, sku: string, now: Date): Promise<number> {
    const result = await sql`
      INSERT INTO ${table('stock')} (warehouse_id, sku, on_hand, reserved, updated_at)
      SELECT w.id, ${sku}, 0, 0, ${now} FROM ${table('warehouses')} AS w WHERE w.status = 'active'
      ON CONFLICT (warehouse_id, sku) DO NOTHING`.execute(tx);
    return Number(result.numAffectedRows ?? 0n);
  },

  async setThreshold(tx: Tx, warehouseId: string, sku: string, threshold: number | null): Promise<void> {
    await tx
      .updateTable('stock')
      .set({ low_stock_threshold: threshold })
      .where('warehouse_id', '=', warehouseId)
      .where('sku', '=', sku)
      .execute();
  },

  async find(db: Db | Tx, warehouseId: string, sku: string): Promise<StockRow | undefined> {
    const row = await db
      .selectFrom('stock')
      .select(['warehouse_id', 'sku', 'on_hand', 'reserved', 'low_stock_threshold'])
      .where('warehouse_id', '=', warehouseId)
      .where('sku', '=', sku)
      .executeTakeFirst();
    return row ? toStockRow(row) : undefined;
  },

  /** Stock of one sku in every warehouse, with the warehouse's code and status. */
  async listBySku(db: Db, sku: string) {
    return db
      .selectFrom('stock as s')
      .innerJoin('warehouses as w', 'w.id', 's.warehouse_id')
      .select(['s.warehouse_id', 'w.code', 'w.status', 's.on_hand', 's.reserved', 's.low_stock_threshold'])
      .where('s.sku', '=', sku)
      .orderBy('w.code')
      .execute();
  },

  /**
   * Units available to sell per sku over active warehouses (one grouped query). The storefront
   * asks this on every page view (stock is never cached), so its SQL is a constant compiled once:
   * the skus travel as ONE array parameter.
   */
  async availability(db: Db, skus: readonly string[]): Promise<Map<string, number>> {
    if (skus.length === 0) return new Map();
    const { rows } = await db.executeQuery<{ sku: string; available: string }>(
      CompiledQuery.raw(AVAILABILITY_SQL, [[...skus]]),
    );
    return new Map(rows.map((r) => [r.sku, Number(r.available)]));
  },

  async hasReservedStock(db: Db | Tx, warehouseId: string): Promise<boolean> {
    const row = await db
      .selectFrom('stock')
      .select('sku')
      .where('warehouse_id', '=', warehouseId)
      .where('reserved', '>', 0)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  },

  /** WH-P1-03: the ledger rows of one change, in one INSERT. */
  async insertLedger(tx: Tx, entries: readonly LedgerEntry[], now: Date): Promise<void> {
    const rows = entries.filter((e) => e.deltaOnHand !== 0 || e.deltaReserved !== 0);
    if (rows.length === 0) return;
    await tx
      .insertInto('inventory_ledger')
      .values(
        rows.map((e) => ({
          id: newId(),
          warehouse_id: e.warehouseId,
          sku: e.sku,
          delta_on_hand: e.deltaOnHand,
          delta_reserved: e.deltaReserved,
          reason: e.reason,
          reference: e.reference,
          note: e.note ?? null,
          actor: e.actor,
          created_at: now,
        })),
      )
      .execute();
  },

  /**
   * FUL-P0-03: takes `units` of each warehouse's capacity for `day` in one conditional upsert; a
   * warehouse whose capacity would be exceeded (or that went inactive) is missing from the result.
   */
  async consumeCapacity(
    tx: Tx,
    day: string,
    usage: readonly { warehouseId: string; units: number }[],
  ): Promise<string[]> {
    if (usage.length === 0) return [];
    const rows = usage.map((u) => sql`(${u.warehouseId}::uuid, ${u.units}::int)`);
    const result = await sql<{ warehouse_id: string }>`
      INSERT INTO ${table('capacity_usage')} AS cu (warehouse_id, day, units, capacity)
      SELECT v.warehouse_id, ${day}::date, v.units, w.capacity_per_day
      FROM ${values(rows)} AS v(warehouse_id, units)
      JOIN ${table('warehouses')} AS w ON w.id = v.warehouse_id
      WHERE w.status = 'active' AND v.units <= w.capacity_per_day
      ON CONFLICT (warehouse_id, day) DO UPDATE
        SET units = cu.units + excluded.units, capacity = excluded.capacity
        WHERE cu.units + excluded.units <= excluded.capacity
      RETURNING cu.warehouse_id`.execute(tx);
    return result.rows.map((r) => r.warehouse_id);
  },

  /**
   * Gives released units' capacity back to the day their reservation took it from (release,
   * expiry, a cancelled warehouse leg). Shipped units keep theirs: they did go out that day.
   */
  async returnCapacity(
    tx: Tx,
    day: string,
    items: readonly { warehouseId: string; quantity: number }[],
  ): Promise<void> {
    const units = new Map<string, number>();
    for (const i of items) units.set(i.warehouseId, (units.get(i.warehouseId) ?? 0) + i.quantity);
    if (units.size === 0) return;
    const rows = [...units].map(([w, n]) => sql`(${w}::uuid, ${n}::int)`);
    await sql`
      UPDATE ${table('capacity_usage')} AS cu SET units = cu.units - v.units
      FROM ${values(rows)} AS v(warehouse_id, units)
      WHERE cu.warehouse_id = v.warehouse_id AND cu.day = ${day}::date`.execute(tx);
  },
};
