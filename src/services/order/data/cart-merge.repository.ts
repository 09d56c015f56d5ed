import { type Selectable, sql, type Transaction } from 'kysely';
import type { ShippingAddress } from '../../../platform/validation/address.js';
import type { CartRow } from './cart.repository.js';
import type { CartItemsTable, OrderDB } from './tables.js';

/** Writes of the guest → customer cart merge (docs/checkout.md "Merging a guest cart at login"). */
type Tx = Transaction<OrderDB>;

export const cartMergeRepository = {
  /**
   * Serialises the merges of one customer for the rest of the transaction, so two logins at once
   * cannot each bind a guest cart and leave the customer with two active carts in one currency.
   */
  async lockCustomer(tx: Tx, customerId: string): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`order.cart-merge:${customerId}`}, 0))`.execute(
      tx,
    );
  },

  /** The customer's active cart in `currency` (newest if several), other than `exceptId`. */
  async findCustomerCart(tx: Tx, customerId: string, currency: string, exceptId: string) {
    return tx
      .selectFrom('carts')
      .select('id')
      .where('customer_id', '=', customerId)
      .where('status', '=', 'active')
      .where('currency', '=', currency)
      .where('id', '<>', exceptId)
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
  },

  /** Locks several carts in id order: every two-cart transaction locks in the same order (no deadlock). */
  async lockCarts(tx: Tx, ids: string[]): Promise<CartRow[]> {
    return tx.selectFrom('carts').selectAll().where('id', 'in', ids).orderBy('id').forUpdate().execute();
  },

  /** Adds the guest's lines to the target in one statement: a sku already there gets the sum. */
  async addLines(tx: Tx, targetId: string, lines: Selectable<CartItemsTable>[], newIds: string[], now: Date) {
    if (lines.length === 0) return;
    await tx
      .insertInto('cart_items')
      .values(
        lines.map((l, i) => ({
          id: newIds[i]!,
          cart_id: targetId,
          sku: l.sku,
          product_id: l.product_id,
          quantity: l.quantity,
          created_at: now,
          updated_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['cart_id', 'sku']).doUpdateSet({
          quantity: sql<number>`cart_items.quantity + excluded.quantity`,
          updated_at: now,
        }),
      )
      .execute();
  },

  async deleteLines(tx: Tx, cartId: string): Promise<void> {
    await tx.deleteFrom('cart_items').where('cart_id', '=', cartId).execute();
  },

  /** The target's version bump, adopting the guest's address and method when it had none. */
  async bumpTarget(
    tx: Tx,
    cart: CartRow,
    shipping: { address: ShippingAddress | null; optionId: string | null } | undefined,
    promotionCodes: readonly string[],
    now: Date,
  ): Promise<CartRow | undefined> {
    return tx
      .updateTable('carts')
      .set({
        promotion_codes: sql<string[]>`${sql.val([...promotionCodes])}::text[]`,
        version: cart.version + 1,
        updated_at: now,
        ...(shipping
          ? {
              shipping_address: shipping.address ? JSON.stringify(shipping.address) : null,
              shipping_option_id: shipping.optionId,
            }
          : {}),
      })
      .where('id', '=', cart.id)
      .where('version', '=', cart.version)
      .where('status', '=', 'active')
      .returningAll()
      .executeTakeFirst();
  },

  /**
   * The guest cart after the merge: `merged` into `targetId`, or still active when it is itself
   * the customer's cart now (`targetId` undefined). Either way it belongs to the customer and its
   * token hash is cleared, so the guest token opens nothing any more (G9).
   */
  async bindGuest(
    tx: Tx,
    guest: CartRow,
    customerId: string,
    targetId: string | undefined,
    now: Date,
  ): Promise<CartRow | undefined> {
    return tx
      .updateTable('carts')
      .set({
        customer_id: customerId,
        token_hash: null,
        version: guest.version + 1,
        updated_at: now,
        ...(targetId ? { status: 'merged' as const, merged_into: targetId } : {}),
      })
      .where('id', '=', guest.id)
      .where('version', '=', guest.version)
      .where('status', '=', 'active')
      .where('customer_id', 'is', null)
      .returningAll()
      .executeTakeFirst();
  },
};
