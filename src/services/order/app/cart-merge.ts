import { sql, type Transaction } from 'kysely';
import type { Ctx } from '../../../platform/context.js';
import { AppError, conflict, notFound } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import { newId } from '../../../platform/ids.js';
import { type CartRow, cartRepository as carts, MAX_LINE_QUANTITY } from '../data/cart.repository.js';
import { cartMergeRepository as merges } from '../data/cart-merge.repository.js';
import type { DroppedPromotionCode, OrderDB } from '../data/tables.js';
import { cartTokenMatches } from '../domain/cart-token.js';
import { cartView, MAX_CART_LINES } from './cart.service.js';
import { priceCart } from './cart-pricing.js';
import type { CartView } from './cart-view.js';
import type { OrderDeps } from './deps.js';

/**
 * Guest cart → customer at login (issue 6 "Ownership", G9). The storefront calls it right after
 * the customer signed in, with the guest cart it holds; auth knows nothing of carts.
 *
 * One transaction: the customer's merges are serialised, both carts are locked in id order, both
 * versions bumped. With an active customer cart in the same currency the guest's lines move into
 * it (same sku → quantities added; a sum over the per-line maximum or too many lines refuses the
 * whole merge with 422, nothing changes) and the guest cart becomes `merged`. Without one, the
 * guest cart itself is bound to the customer. Either way the guest token stops working. Repeating
 * the call as the same customer answers with the customer's cart again (idempotent).
 *
 * Promotion codes: the guest's codes join the customer's (theirs first, up to
 * PROMOTION_MAX_CODES_PER_CART). After the commit the cart is priced for the customer — ONE quote,
 * as every view — and the codes it refuses are removed and recorded as `droppedPromotionCodes` with
 * their reason, in a second transaction on the version the merge produced (a cart changed meanwhile
 * keeps its codes, shown as refused, as any cart does).
 */
export async function mergeGuestCart(
  _ctx: Ctx,
  deps: OrderDeps,
  guestId: string,
  customerId: string,
  cartToken: string | undefined,
): Promise<CartView> {
  const max = deps.config.PROMOTION_MAX_CODES_PER_CART;
  const { cart, merged } = await transaction<OrderDB, MergeResult>(deps.db, async (tx) => {
    await merges.lockCustomer(tx, customerId);
    const seen = await carts.findCart(tx, guestId);
    const candidate =
      seen && seen.customer_id === null && seen.status === 'active'
        ? await merges.findCustomerCart(tx, customerId, seen.currency, guestId)
        : undefined;
    const locked = await merges.lockCarts(tx, candidate ? [guestId, candidate.id] : [guestId]);
    const guest = locked.find((c) => c.id === guestId);
    if (!guest) throw notFound('Cart', guestId);

    // Already bound to a customer: a replay by that customer gets their cart; anyone else a 404.
    if (guest.customer_id !== null) {
      if (guest.customer_id !== customerId) throw notFound('Cart', guestId);
      if (guest.status === 'merged' && guest.merged_into)
        return { cart: (await carts.findCart(tx, guest.merged_into)) ?? guest, merged: false };
      return { cart: guest, merged: false };
    }
    // G9 / OR-P0-02: only the holder of the guest token may hand the cart over; otherwise 404.
    if (guest.token_hash === null || !cartTokenMatches(cartToken, guest.token_hash))
      throw notFound('Cart', guestId);
    if (guest.status !== 'active')
      throw conflict(`The cart is ${guest.status} and can no longer be merged`, 'cart_not_active');

    const now = deps.clock.now();
    const target = candidate ? locked.find((c) => c.id === candidate.id) : undefined;
    if (candidate && (target?.status !== 'active' || target.customer_id !== customerId))
      throw conflict('The customer’s cart changed during the merge; retry');
    if (!target) {
      const bound = await merges.bindGuest(tx, guest, customerId, undefined, now);
      if (!bound) throw conflict('The cart changed concurrently; retry');
      return { cart: { row: bound, overflow: [] }, merged: true };
    }
    return moveInto(tx, guest, target, customerId, now, max);
  });
  if (!merged) return cartView(deps, cart);
  return cartView(deps, await dropInapplicableCodes(deps, cart.row, cart.overflow));
}

/** Re-evaluates the merged cart's codes for its customer and drops the refused ones (see above). */
async function dropInapplicableCodes(
  deps: OrderDeps,
  cart: CartRow,
  overflow: readonly DroppedPromotionCode[],
): Promise<CartRow> {
  const items = await carts.listItems(deps.db, cart.id);
  const priced = await priceCart(deps, cart, items);
  const refused = new Map((priced.promotions?.refused ?? []).map((r) => [r.code, r.reason]));
  // Without the promotion service nothing is evaluated: the codes stay (refused on every view).
  const dropped = priced.promotions ? cart.promotion_codes.filter((c) => refused.has(c)) : [];
  if (dropped.length === 0 && overflow.length === 0) return cart;
  const report = [...overflow, ...dropped.map((code) => ({ code, reason: refused.get(code)! }))];
  const updated = await deps.db
    .updateTable('carts')
    .set({
      promotion_codes: sql<string[]>`${sql.val(cart.promotion_codes.filter((c) => !refused.has(c)))}::text[]`,
      dropped_promotion_codes: JSON.stringify(report),
      version: cart.version + 1,
      updated_at: deps.clock.now(),
    })
    .where('id', '=', cart.id)
    .where('version', '=', cart.version)
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst();
  return updated ?? (await carts.findCart(deps.db, cart.id)) ?? cart;
}

type MergeResult =
  | { cart: CartRow; merged: false }
  | { cart: { row: CartRow; overflow: DroppedPromotionCode[] }; merged: true };

async function moveInto(
  tx: Transaction<OrderDB>,
  guest: CartRow,
  target: CartRow,
  customerId: string,
  now: Date,
  maxCodes: number,
): Promise<{ cart: { row: CartRow; overflow: DroppedPromotionCode[] }; merged: true }> {
  const [guestLines, targetLines] = await Promise.all([
    carts.listItems(tx, guest.id),
    carts.listItems(tx, target.id),
  ]);
  const had = new Map(targetLines.map((l) => [l.sku, l.quantity]));
  // The limits addItem enforces hold for the merged cart too; refuse rather than drop units silently.
  const over = guestLines.filter((l) => (had.get(l.sku) ?? 0) + l.quantity > MAX_LINE_QUANTITY);
  if (over.length > 0)
    throw new AppError(
      'unprocessable',
      'quantity_limit_exceeded',
      `A cart line holds at most ${MAX_LINE_QUANTITY} units; merging would exceed it for ${over.map((l) => l.sku).join(', ')}`,
      { extra: { skus: over.map((l) => l.sku) } },
    );
  const added = guestLines.filter((l) => !had.has(l.sku)).length;
  if (targetLines.length + added > MAX_CART_LINES)
    throw new AppError(
      'unprocessable',
      'cart_full',
      `A cart holds at most ${MAX_CART_LINES} different products; the merged cart would hold ${targetLines.length + added}`,
    );

  await merges.addLines(
    tx,
    target.id,
    guestLines,
    guestLines.map(() => newId()),
    now,
  );
  await merges.deleteLines(tx, guest.id);
  // The customer's own address and method win; a cart without an address takes the guest's.
  const shipping =
    target.shipping_address === null && guest.shipping_address !== null
      ? { address: guest.shipping_address, optionId: guest.shipping_option_id }
      : undefined;
  // The customer's codes first, then the guest's new ones while the cart has room.
  const codes = [...new Set([...target.promotion_codes, ...guest.promotion_codes])];
  const overflow = codes.slice(maxCodes).map((code) => ({ code, reason: 'too_many_promotion_codes' }));
  const merged = await merges.bindGuest(tx, guest, customerId, target.id, now);
  const bumped = await merges.bumpTarget(tx, target, shipping, codes.slice(0, maxCodes), now);
  if (!merged || !bumped) throw conflict('The carts changed concurrently; retry');
  return { cart: { row: bumped, overflow }, merged: true };
}
