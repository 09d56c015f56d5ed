import type { Kysely, Selectable, Transaction } from 'kysely';
import type { OrderDB, OrderShipmentsTable } from './tables.js';

type Db = Kysely<OrderDB> | Transaction<OrderDB>;
export type OrderShipmentRow = Selectable<OrderShipmentsTable>;

/**
 * The order's copy of its shipments (from shipping's events), for owner and admin views without a
 * call per order. A row only moves to a newer shipment `version`, so a stale or replayed event
 * changes nothing (G6).
 */
export const shipmentRepository = {
  async upsert(db: Db, row: OrderShipmentRow): Promise<void> {
    await db
      .insertInto('order_shipments')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => ({
            carrier: eb.ref('excluded.carrier'),
            tracking_number: eb.ref('excluded.tracking_number'),
            status: eb.ref('excluded.status'),
            version: eb.ref('excluded.version'),
            updated_at: eb.ref('excluded.updated_at'),
          }))
          .where('order_shipments.version', '<', (eb) => eb.ref('excluded.version')),
      )
      .execute();
  },

  /** The shipments of some orders in one statement (a page of orders: no N+1). */
  async ofOrders(db: Db, orderIds: readonly string[]): Promise<OrderShipmentRow[]> {
    if (orderIds.length === 0) return [];
    return db
      .selectFrom('order_shipments')
      .selectAll()
      .where('order_id', 'in', orderIds)
      .orderBy('order_id')
      .orderBy('id')
      .execute();
  },
};
