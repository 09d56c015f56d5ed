import type { Kysely, Selectable, Transaction } from 'kysely';
import type { NewWarehouse, WarehouseChanges, WarehouseStatus } from '../domain/warehouse.js';
import type { WarehouseDB, WarehousesTable } from './tables.js';

/** Warehouses: reads take any handle, writes a transaction. */
type Db = Kysely<WarehouseDB>;
type Tx = Transaction<WarehouseDB>;

export interface Warehouse extends NewWarehouse {
  id: string;
  status: WarehouseStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
}

const toWarehouse = (row: Selectable<WarehousesTable>): Warehouse => ({
  id: row.id,
  code: row.code,
  name: row.name,
  capacityPerDay: row.capacity_per_day,
  address: row.address,
  location: { lat: Number(row.lat), lng: Number(row.lng) },
  status: row.status,
  version: row.version,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

export const warehouseRepository = {
  /** `undefined` when the code is taken. */
  async insert(tx: Tx, id: string, w: NewWarehouse, now: Date): Promise<Warehouse | undefined> {
    const row = await tx
      .insertInto('warehouses')
      .values({
        id,
        code: w.code,
        name: w.name,
        capacity_per_day: w.capacityPerDay,
        address: JSON.stringify(w.address),
        lat: w.location.lat,
        lng: w.location.lng,
        status: 'active',
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('code').doNothing())
      .returningAll()
      .executeTakeFirst();
    return row ? toWarehouse(row) : undefined;
  },

  async find(db: Db | Tx, id: string): Promise<Warehouse | undefined> {
    const row = await db.selectFrom('warehouses').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toWarehouse(row) : undefined;
  },

  /** Newest first; keyset on id (UUIDv7). */
  async list(
    db: Db,
    filter: { status?: WarehouseStatus | undefined; beforeId?: string | undefined; limit: number },
  ) {
    let query = db.selectFrom('warehouses').selectAll().orderBy('id', 'desc').limit(filter.limit);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
    return (await query.execute()).map(toWarehouse);
  },

  /** Id and code of the given warehouses (import resolves both in one query). */
  async findRefs(db: Db | Tx, ids: readonly string[], codes: readonly string[]) {
    if (ids.length === 0 && codes.length === 0) return [];
    return db
      .selectFrom('warehouses')
      .select(['id', 'code', 'status'])
      .where((eb) =>
        eb.or([
          ...(ids.length > 0 ? [eb('id', 'in', [...ids])] : []),
          ...(codes.length > 0 ? [eb('code', 'in', [...codes])] : []),
        ]),
      )
      .execute();
  },

  async update(tx: Tx, id: string, changes: WarehouseChanges, now: Date): Promise<Warehouse | undefined> {
    const row = await tx
      .updateTable('warehouses')
      .set((eb) => ({
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.capacityPerDay !== undefined ? { capacity_per_day: changes.capacityPerDay } : {}),
        ...(changes.address !== undefined ? { address: JSON.stringify(changes.address) } : {}),
        ...(changes.location !== undefined ? { lat: changes.location.lat, lng: changes.location.lng } : {}),
        ...(changes.status !== undefined ? { status: changes.status } : {}),
        version: eb('version', '+', 1),
        updated_at: now,
      }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toWarehouse(row) : undefined;
  },
};
