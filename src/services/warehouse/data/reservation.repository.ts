import { type Kysely, sql, type Transaction } from 'kysely';
import type { Allocation, ReservationStatus } from '../contract/client.js';
import { table } from './sql.js';
import type { ShipToJson, WarehouseDB } from './tables.js';

/** Reservations and their items. Status changes are guarded updates (`WHERE status IN (…)`). */
type Db = Kysely<WarehouseDB>;
type Tx = Transaction<WarehouseDB>;

export interface Reservation {
  id: string;
  reference: string;
  orderId: string;
  status: ReservationStatus;
  expiresAt: Date;
  allocations: Allocation[];
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
