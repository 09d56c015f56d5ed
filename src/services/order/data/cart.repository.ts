import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { ShippingAddress } from '../../../platform/validation/address.js';
import type { CartItemsTable, CartsTable, OrderDB } from './tables.js';

/**
 * Cart data access. Reads take any handle; writes take a `Transaction` so a mutation, its version
 * bump and its row lock are one unit (NEW-03).
 */
type Db = Kysely<OrderDB> | Transaction<OrderDB>;
type Tx = Transaction<OrderDB>;

export type CartRow = Selectable<CartsTable>;
export type CartItemRow = Selectable<CartItemsTable>;

/** Domain limit of cart_items.quantity (also a CHECK in SQL). */
export const MAX_LINE_QUANTITY = 999;

export const cartRepository = {
  async insertCart(
    tx: Db,
    row: { id: string; tokenHash: string | null; customerId: string | null; currency: string; now: Date },
  ): Promise<CartRow> {
    return tx
      .insertInto('carts')
      .values({
        id: row.id,
        token_hash: row.tokenHash,
        customer_id: row.customerId,
        currency: row.currency,
        shipping_address: null,
        shipping_option_id: null,
        created_at: row.now,
        updated_at: row.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async findCart(db: Db, id: string): Promise<CartRow | undefined> {
    return db.selectFrom('carts').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Locks the cart row for the rest of the transaction: concurrent mutations queue here (NEW-03). */
  /**
   * Every mutation starts here: bumps the version and so takes the row lock in ONE statement
   * (concurrent mutations queue behind it: NEW-03). Returns the cart as it now is; the caller checks
   * ownership, status and the client's version and throws, rolling the bump back, when one fails.
   */
  async lockAndBump(tx: Tx, id: string, now: Date): Promise<CartRow | undefined> {
    return tx
      .updateTable('carts')
      .set((eb) => ({ version: eb('version', '+', 1), updated_at: now }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  },

  async listItems(db: Db, cartId: string): Promise<CartItemRow[]> {
    return db
      .selectFrom('cart_items')
      .selectAll()
      .where('cart_id', '=', cartId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  },

  /**
   * Adds `quantity` of a sku: a new line, or the existing line increased atomically (two parallel
   * adds both count). Returns undefined when the sum would pass MAX_LINE_QUANTITY.
   */
  async addQuantity(
    tx: Tx,
    line: { id: string; cartId: string; sku: string; productId: string; quantity: number; now: Date },
  ): Promise<CartItemRow | undefined> {
    return tx
      .insertInto('cart_items')
      .values({
        id: line.id,
        cart_id: line.cartId,
        sku: line.sku,
        product_id: line.productId,
        quantity: line.quantity,
        created_at: line.now,
        updated_at: line.now,
      })
      .onConflict((oc) =>
        oc
          .columns(['cart_id', 'sku'])
          .doUpdateSet({
            quantity: sql<number>`cart_items.quantity + excluded.quantity`,
            updated_at: line.now,
          })
          .where(sql<boolean>`cart_items.quantity + excluded.quantity <= ${MAX_LINE_QUANTITY}`),
      )
      .returningAll()
      .executeTakeFirst();
  },

  async setQuantity(tx: Tx, cartId: string, itemId: string, quantity: number, now: Date) {
    const r = await tx
      .updateTable('cart_items')
      .set({ quantity, updated_at: now })
      .where('cart_id', '=', cartId)
      .where('id', '=', itemId)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  },

  async deleteItem(tx: Tx, cartId: string, itemId: string) {
    const r = await tx
      .deleteFrom('cart_items')
      .where('cart_id', '=', cartId)
      .where('id', '=', itemId)
      .executeTakeFirst();
    return r.numDeletedRows > 0n;
  },

  async setAddress(tx: Tx, cartId: string, address: ShippingAddress, clearOption: boolean) {
    return tx
      .updateTable('carts')
      .set({
        shipping_address: JSON.stringify(address),
        ...(clearOption ? { shipping_option_id: null } : {}),
      })
      .where('id', '=', cartId)
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async setShippingOption(tx: Tx, cartId: string, optionId: string) {
    return tx
      .updateTable('carts')
      .set({ shipping_option_id: optionId })
      .where('id', '=', cartId)
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  async setPromotionCodes(tx: Tx, cartId: string, codes: readonly string[]) {
    return (
      tx
        .updateTable('carts')
        // Entering or removing a code replaces what the last merge reported as dropped.
        .set({
          promotion_codes: sql<string[]>`${sql.val([...codes])}::text[]`,
          dropped_promotion_codes: '[]',
        })
        .where('id', '=', cartId)
        .returningAll()
        .executeTakeFirstOrThrow()
    );
  },

  /** Checkout's last write: only the version the saga quoted, only while active (cart changed → 0 rows). */
  async markCheckedOut(tx: Tx, cartId: string, version: number, now: Date): Promise<boolean> {
    const r = await tx
      .updateTable('carts')
      .set({ status: 'checked_out', version: version + 1, updated_at: now })
      .where('id', '=', cartId)
      .where('version', '=', version)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  },
};
