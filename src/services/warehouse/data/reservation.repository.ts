import { type Kysely, sql, type Transaction } from 'kysely';
import type { Allocation, ReservationStatus } from '../contract/client.js';
import { table } from './sql.js';
import type { ItemSettlement, ShipToJson, WarehouseDB } from './tables.js';

/** Reservations and their items. Status changes are guarded updates (`WHERE status IN (…)`). */
type Db = Kysely<WarehouseDB>;
type Tx = Transaction<WarehouseDB>;

export interface Reservation {
  id: string;
  reference: string;
  orderId: string;
  status: ReservationStatus;
  expiresAt: Date;
  /** The day whose capacity the reservation consumed (given back with released items). */
  capacityDay: string;
  allocations: Allocation[];
}

/** An item's units as a settlement claimed them. */
export interface SettledItem {
  warehouseId: string;
  sku: string;
  quantity: number;
}

export interface NewReservationRow {
  id: string;
  reference: string;
  orderId: string;
  expiresAt: Date;
  capacityDay: string;
  shipTo: ShipToJson;
  now: Date;
}

export const reservationRepository = {
  /** The reservation and its items in one query; `by` is its id or its caller reference. */
  async find(db: Db | Tx, by: { id: string } | { reference: string }): Promise<Reservation | undefined> {
    const rows = await db
      .selectFrom('reservations as r')
      .leftJoin('reservation_items as ri', 'ri.reservation_id', 'r.id')
      .select([
        'r.id',
        'r.reference',
        'r.order_id',
        'r.status',
        'r.expires_at',
        sql<string>`to_char(r.capacity_day, 'YYYY-MM-DD')`.as('capacity_day'),
        'ri.warehouse_id',
        'ri.sku',
        'ri.quantity',
      ])
      .where((eb) => ('id' in by ? eb('r.id', '=', by.id) : eb('r.reference', '=', by.reference)))
      .orderBy('ri.sku')
      .orderBy('ri.warehouse_id')
      .execute();
    const first = rows[0];
    if (!first) return undefined;
    return {
      id: first.id,
      reference: first.reference,
      orderId: first.order_id,
      status: first.status,
      expiresAt: first.expires_at,
      capacityDay: first.capacity_day,
      allocations: rows.flatMap((r) =>
        r.sku !== null && r.warehouse_id !== null && r.quantity !== null
          ? [{ sku: r.sku, warehouseId: r.warehouse_id, quantity: r.quantity }]
          : [],
      ),
    };
  },

  /** Inserts the reservation unless its reference is taken (then `false`: idempotent replay). */
  async insert(tx: Tx, row: NewReservationRow): Promise<boolean> {
    const inserted = await tx
      .insertInto('reservations')
      .values({
        id: row.id,
        reference: row.reference,
        order_id: row.orderId,
        status: 'active',
        expires_at: row.expiresAt,
        capacity_day: row.capacityDay,
        ship_to: JSON.stringify(row.shipTo),
        created_at: row.now,
        updated_at: row.now,
      })
      .onConflict((oc) => oc.column('reference').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  },

  async insertItems(tx: Tx, reservationId: string, allocations: readonly Allocation[]): Promise<void> {
    if (allocations.length === 0) return;
    await tx
      .insertInto('reservation_items')
      .values(
        allocations.map((a) => ({
          reservation_id: reservationId,
          warehouse_id: a.warehouseId,
          sku: a.sku,
          quantity: a.quantity,
        })),
      )
      .execute();
  },

  /**
   * Moves a reservation from one of `from` to `to`; `false` when it was not in one of them (or,
   * with `notExpiredAt`, its TTL has passed). Concurrent callers: exactly one wins.
   */
  async transition(
    tx: Tx,
    id: string,
    from: readonly ReservationStatus[],
    to: ReservationStatus,
    now: Date,
    options: { notExpiredAt?: Date } = {},
  ): Promise<boolean> {
    let query = tx
      .updateTable('reservations')
      .set({ status: to, updated_at: now })
      .where('id', '=', id)
      .where('status', 'in', [...from]);
    if (options.notExpiredAt) query = query.where('expires_at', '>', options.notExpiredAt);
    const result = await query.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  },

  /**
   * The order's reservations that hold (or held) items in the warehouse, the live ones first
   * (normally exactly one: a reservation per order).
   */
  async findByOrderAndWarehouse(
    db: Db | Tx,
    orderId: string,
    warehouseId: string,
  ): Promise<{ id: string; status: ReservationStatus }[]> {
    const rows = await db
      .selectFrom('reservations as r')
      .select(['r.id', 'r.status', 'r.created_at'])
      .where('r.order_id', '=', orderId)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('reservation_items as ri')
            .select('ri.sku')
            .whereRef('ri.reservation_id', '=', 'r.id')
            .where('ri.warehouse_id', '=', warehouseId),
        ),
      )
      .orderBy('r.created_at', 'desc')
      .orderBy('r.id')
      .execute();
    const rank = (s: ReservationStatus) =>
      s === 'confirmed' || s === 'active' ? 0 : s === 'fulfilled' ? 1 : 2;
    return rows.map((r) => ({ id: r.id, status: r.status })).sort((a, b) => rank(a.status) - rank(b.status));
  },

  /** Locks the reservation row: item settlements of one reservation serialize on it. */
  async lock(tx: Tx, id: string): Promise<ReservationStatus | undefined> {
    const row = await tx
      .selectFrom('reservations')
      .select('status')
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row?.status;
  },

  /**
   * WH-P0-02: claims the reservation's unsettled items (of one warehouse, or all) for `how` in one
   * conditional UPDATE and returns them: an item is settled exactly once, so the stock change that
   * follows with the returned rows is applied once however often this runs.
   */
  async settleItems(
    tx: Tx,
    reservationId: string,
    how: ItemSettlement,
    now: Date,
    warehouseId?: string,
  ): Promise<SettledItem[]> {
    let q = tx
      .updateTable('reservation_items')
      .set({ settled: how, settled_at: now })
      .where('reservation_id', '=', reservationId)
      .where('settled', 'is', null);
    if (warehouseId) q = q.where('warehouse_id', '=', warehouseId);
    const rows = await q.returning(['warehouse_id', 'sku', 'quantity']).execute();
    return rows.map((r) => ({ warehouseId: r.warehouse_id, sku: r.sku, quantity: r.quantity }));
  },

  /** How the reservation's items (optionally of one warehouse) stand: null for an unsettled one. */
  async settlements(
    db: Db | Tx,
    reservationId: string,
    warehouseId?: string,
  ): Promise<(ItemSettlement | null)[]> {
    let q = db.selectFrom('reservation_items').select('settled').where('reservation_id', '=', reservationId);
    if (warehouseId) q = q.where('warehouse_id', '=', warehouseId);
    return (await q.execute()).map((r) => r.settled);
  },

  /** WH-P0-02: a page of active reservations past their TTL, keyset on (expires_at, id). */
  async listExpired(
    db: Db,
    now: Date,
    after: { expiresAt: Date; id: string } | undefined,
    limit: number,
  ): Promise<{ id: string; expiresAt: Date }[]> {
    const afterClause = after
      ? sql`AND (r.expires_at, r.id) > (${after.expiresAt}, ${after.id}::uuid)`
      : sql``;
    const { rows } = await sql<{ id: string; expires_at: Date }>`
      SELECT r.id, r.expires_at FROM ${table('reservations')} AS r
      WHERE r.status = 'active' AND r.expires_at <= ${now} ${afterClause}
      ORDER BY r.expires_at, r.id
      LIMIT ${limit}`.execute(db);
    return rows.map((r) => ({ id: r.id, expiresAt: r.expires_at }));
  },
};
