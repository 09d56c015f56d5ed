import type { Kysely, Transaction } from 'kysely';
import { afterKeyset, type Keyset } from '../../../platform/db/keyset.js';
import type { OrderRow } from './order.repository.js';
import type { OrderDB } from './tables.js';

type Db = Kysely<OrderDB> | Transaction<OrderDB>;
type Cursor = Keyset | undefined;

/**
 * Facts the order learns from fulfillment and shipping before (or after) its status can follow
 * them. Each is set once (`IS NULL`), so a redelivered event changes nothing (G4).
 */
export const deliveryRepository = {
  async markAllFulfillmentsShipped(db: Db, id: string, now: Date): Promise<void> {
    await db
      .updateTable('orders')
      .set({ all_fulfillments_shipped_at: now })
      .where('id', '=', id)
      .where('all_fulfillments_shipped_at', 'is', null)
      .execute();
  },

  async markAllShipmentsDelivered(db: Db, id: string, now: Date): Promise<void> {
    await db
      .updateTable('orders')
      .set({ all_shipments_delivered_at: now })
      .where('id', '=', id)
      .where('all_shipments_delivered_at', 'is', null)
      .execute();
  },

  /**
   * Shipping's "all delivered" turned out premature (a later shipment of the order is still on
   * its way): forget it, unless a newer delivery event set it again meanwhile.
   */
  async clearAllShipmentsDelivered(db: Db, id: string, seen: Date): Promise<void> {
    await db
      .updateTable('orders')
      .set({ all_shipments_delivered_at: null })
      .where('id', '=', id)
      .where('all_shipments_delivered_at', '=', seen)
      .execute();
  },

  /** delivery-check: shipped orders told "all delivered" (a kick may have missed them). */
  shippedAwaitingDelivery(db: Db, after: Cursor, limit: number): Promise<OrderRow[]> {
    let q = db
      .selectFrom('orders')
      .selectAll()
      .where('status', '=', 'shipped')
      .where('all_shipments_delivered_at', 'is not', null);
    if (after) q = q.where(afterKeyset('all_shipments_delivered_at', after));
    return q.orderBy('all_shipments_delivered_at').orderBy('id').limit(limit).execute();
  },

  /** order-completion: delivered or partially returned orders whose return window closed. */
  completionDue(db: Db, deliveredBefore: Date, after: Cursor, limit: number): Promise<OrderRow[]> {
    let q = db
      .selectFrom('orders')
      .selectAll()
      .where('status', 'in', ['delivered', 'partially_returned'])
      .where('delivered_at', '<', deliveredBefore);
    if (after) q = q.where(afterKeyset('delivered_at', after));
    return q.orderBy('delivered_at').orderBy('id').limit(limit).execute();
  },
};
