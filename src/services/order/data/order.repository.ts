import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { OrderDB, OrderItemsTable, OrdersTable } from './tables.js';

type Db = Kysely<OrderDB> | Transaction<OrderDB>;
type Tx = Transaction<OrderDB>;
export type OrderRow = Selectable<OrdersTable>;
export type OrderItemRow = Selectable<OrderItemsTable>;

export const orderRepository = {
  /** The order and all its items: two statements, items in one batch insert (no N+1). */
  async insertOrder(
    tx: Tx,
    order: Insertable<OrdersTable>,
    items: Insertable<OrderItemsTable>[],
  ): Promise<void> {
    await tx.insertInto('orders').values(order).execute();
    if (items.length > 0) await tx.insertInto('order_items').values(items).execute();
  },

  async findOrder(db: Db, id: string): Promise<OrderRow | undefined> {
    return db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async listItems(db: Db, orderId: string): Promise<OrderItemRow[]> {
    return db
      .selectFrom('order_items')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('sku')
      .orderBy('warehouse_id')
      .execute();
  },
};
