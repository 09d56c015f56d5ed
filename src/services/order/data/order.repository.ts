import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { OrderStatus } from '../domain/order-status.js';
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

  /** Whether the customer placed any order before (the promotions' first-order condition). */
  async hasOrder(db: Db, customerId: string): Promise<boolean> {
    const row = await db
      .selectFrom('orders')
      .select('id')
      .where('customer_id', '=', customerId)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
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

  /** Items of a page of orders in one statement (no N+1). */
  async listItemsOf(db: Db, orderIds: readonly string[]): Promise<OrderItemRow[]> {
    if (orderIds.length === 0) return [];
    return db
      .selectFrom('order_items')
      .selectAll()
      .where('order_id', 'in', orderIds)
      .orderBy('order_id')
      .orderBy('sku')
      .orderBy('warehouse_id')
      .execute();
  },

  /**
   * One keyset page, newest first (UUIDv7 ids sort by creation time), with the admin filters; the
   * customer's list passes only `customerId`. Fetches `limit + 1` to know whether more follow.
   */
  async page(db: Db, filter: OrderFilter, beforeId: string | undefined, limit: number): Promise<OrderRow[]> {
    let q = db.selectFrom('orders').selectAll();
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.customerId) q = q.where('customer_id', '=', filter.customerId);
    if (filter.from) q = q.where('created_at', '>=', filter.from);
    if (filter.to) q = q.where('created_at', '<', filter.to);
    if (beforeId) q = q.where('id', '<', beforeId);
    return q
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
  },
};

export interface OrderFilter {
  status?: OrderStatus | undefined;
  customerId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}
