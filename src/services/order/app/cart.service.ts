import type { Transaction } from 'kysely';
import type { Ctx } from '../../../platform/context.js';
import { AppError, conflict, notFound } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import { newId } from '../../../platform/ids.js';
import { type AddressInput, validateAddress } from '../../../platform/validation/address.js';
import { normalizeCode } from '../../promotion/contract/client.js';
import type { ShippingOption } from '../../shipping/contract/client.js';
import {
  type CartItemRow,
  type CartRow,
  cartRepository as carts,
  MAX_LINE_QUANTITY,
} from '../data/cart.repository.js';
import type { OrderDB } from '../data/tables.js';
import { hashCartToken, isOwner, newCartToken, type Requester } from '../domain/cart-token.js';
import { priceCart, quoteLines, rateRequest } from './cart-pricing.js';
import { type CartView, toCartView } from './cart-view.js';
import type { OrderDeps } from './deps.js';

/** Distinct lines per cart: keeps the one pricing quote and the checkout's batch bounded. */
export const MAX_CART_LINES = 100;

const cartNotFound = (id: string) => notFound('Cart', id);

/**
 * Cart calls read products, prices, tax and shipping options from their owners' caches: what they
 * show is decided again on the databases at checkout (validateAndQuote passes no options).
 */
const VIEW = { cached: true } as const;

/** Reads a cart the requester owns; someone else's (or a missing) cart is the same 404 (G9). */
export async function loadOwnedCart(deps: OrderDeps, id: string, who: Requester): Promise<CartRow> {
  const cart = await carts.findCart(deps.db, id);
  if (!cart || !isOwner({ tokenHash: cart.token_hash, customerId: cart.customer_id }, who))
    throw cartNotFound(id);
  return cart;
}

/** The cart priced now; `items` when the caller already holds them (read in its transaction). */
export async function cartView(deps: OrderDeps, cart: CartRow, items?: CartItemRow[]): Promise<CartView> {
  const lines = items ?? (await carts.listItems(deps.db, cart.id));
  return toCartView(cart, await priceCart(deps, cart, lines, VIEW));
}

export async function createCart(
  _ctx: Ctx,
  deps: OrderDeps,
  input: { currency: string },
  customerId: string | undefined,
): Promise<{ view: CartView; cartToken: string | undefined }> {
  // A customer's cart is bound to the customer; a guest's to a secret token shown once (OR-P0-02).
  const token = customerId ? undefined : newCartToken();
  const cart = await carts.insertCart(deps.db, {
    id: newId(),
    tokenHash: token ? hashCartToken(token) : null,
    customerId: customerId ?? null,
    currency: input.currency,
    now: deps.clock.now(),
  });
  return { view: await cartView(deps, cart, []), cartToken: token };
}

/** What a mutation changed: the cart row when it wrote it, the items when it read them. */
type Applied = { cart?: CartRow; items?: CartItemRow[] };

/**
 * Every cart mutation: bump the version (which locks the row, so concurrent mutations queue:
 * NEW-03), check ownership, the client's `If-Match` version and that the cart is still active —
 * any failure rolls the bump back — then apply. Returns the cart as committed.
 */
async function mutate(
  deps: OrderDeps,
  id: string,
  who: Requester,
  ifMatch: number | undefined,
  apply: (tx: Transaction<OrderDB>, cart: CartRow) => Promise<Applied>,
): Promise<{ cart: CartRow; items: CartItemRow[] | undefined }> {
  return transaction(deps.db, async (tx) => {
    const cart = await carts.lockAndBump(tx, id, deps.clock.now());
    if (!cart || !isOwner({ tokenHash: cart.token_hash, customerId: cart.customer_id }, who))
      throw cartNotFound(id);
    const before = cart.version - 1;
    if (ifMatch !== undefined && ifMatch !== before)
      throw conflict(`The cart is at version ${before}, not ${ifMatch}; reload it and retry`);
    if (cart.status !== 'active')
      throw conflict(`The cart is ${cart.status} and can no longer change`, 'cart_not_active');
    const applied = await apply(tx, cart);
    return { cart: applied.cart ?? cart, items: applied.items };
  });
}

export async function addItem(
  _ctx: Ctx,
  deps: OrderDeps,
  id: string,
  who: Requester,
  input: { sku: string; quantity: number },
  ifMatch: number | undefined,
): Promise<CartView> {
  const cart = await loadOwnedCart(deps, id, who);
  const [product] = await deps.catalog.getProductsBySku([input.sku], VIEW);
  if (!product)
    throw new AppError('unprocessable', 'unknown_sku', `No product has sku ${input.sku}`, {
      fields: [{ path: 'body.sku', message: 'no such product' }],
    });
  if (product.status !== 'active')
    throw new AppError('unprocessable', 'product_unavailable', `Product ${product.sku} is no longer sold`, {
      fields: [{ path: 'body.sku', message: 'product is archived' }],
    });
  // Refuse what cannot be bought rather than fail at checkout: the sku needs a price in the cart's currency.
  const prices = await deps.pricing.unitPrices([product.sku], cart.currency, VIEW);
  if (!prices.has(product.sku))
    throw new AppError(
      'unprocessable',
      'price_unavailable',
      `Product ${product.sku} has no price in ${cart.currency}`,
      {
        extra: { skus: [product.sku] },
      },
    );
  const updated = await mutate(deps, id, who, ifMatch, async (tx, locked) => {
    const now = deps.clock.now();
    const line = await carts.addQuantity(tx, {
      id: newId(),
      cartId: locked.id,
      sku: product.sku,
      productId: product.id,
      quantity: input.quantity,
      now,
    });
    if (!line)
      throw new AppError(
        'unprocessable',
        'quantity_limit_exceeded',
        `A cart line holds at most ${MAX_LINE_QUANTITY} units of ${product.sku}`,
        { fields: [{ path: 'body.quantity', message: `line total would exceed ${MAX_LINE_QUANTITY}` }] },
      );
    const items = await carts.listItems(tx, locked.id);
    if (items.length > MAX_CART_LINES)
      throw new AppError(
        'unprocessable',
        'cart_full',
        `A cart holds at most ${MAX_CART_LINES} different products`,
      );
    return { items };
  });
  return cartView(deps, updated.cart, updated.items);
}

export async function updateItem(
  _ctx: Ctx,
  deps: OrderDeps,
  id: string,
  itemId: string,
  who: Requester,
  quantity: number,
  ifMatch: number | undefined,
): Promise<CartView> {
  const updated = await mutate(deps, id, who, ifMatch, async (tx, cart) => {
    if (!(await carts.setQuantity(tx, cart.id, itemId, quantity, deps.clock.now())))
      throw notFound('Cart item', itemId);
    return {};
  });
  return cartView(deps, updated.cart, updated.items);
}

export async function removeItem(
  _ctx: Ctx,
  deps: OrderDeps,
  id: string,
  itemId: string,
  who: Requester,
  ifMatch: number | undefined,
): Promise<CartView> {
  const updated = await mutate(deps, id, who, ifMatch, async (tx, cart) => {
    if (!(await carts.deleteItem(tx, cart.id, itemId))) throw notFound('Cart item', itemId);
    return {};
  });
  return cartView(deps, updated.cart, updated.items);
}

export async function setShippingAddress(
  _ctx: Ctx,
  deps: OrderDeps,
  id: string,
  who: Requester,
  input: AddressInput,
  ifMatch: number | undefined,
): Promise<CartView> {
  const address = validateAddress(input);
  const updated = await mutate(deps, id, who, ifMatch, async (tx, cart) => {
    const before = cart.shipping_address;
    // Rates depend on the destination: a new country or postal code drops the chosen method.
    const moved = !before || before.country !== address.country || before.postalCode !== address.postalCode;
    return { cart: await carts.setAddress(tx, cart.id, address, moved) };
  });
  return cartView(deps, updated.cart, updated.items);
}

/** Shipping options for the cart's address and parcel (weight from catalog `weightGrams`). */
export async function shippingOptions(deps: OrderDeps, cart: CartRow): Promise<ShippingOption[]> {
  const address = cart.shipping_address;
  if (!address)
    throw new AppError(
      'unprocessable',
      'shipping_address_required',
      'Set a shipping address before choosing shipping',
    );
  return optionsFor(deps, address, cart.currency, await carts.listItems(deps.db, cart.id));
}

function optionsFor(
  deps: OrderDeps,
  address: NonNullable<CartRow['shipping_address']>,
  currency: string,
  items: CartItemRow[],
): Promise<ShippingOption[]> {
  return quoteLines(deps, currency, items, VIEW).then((parcel) =>
    deps.shipping.options(rateRequest(address, parcel.weightGrams, parcel.subtotal), VIEW),
  );
}

export async function setShippingMethod(
  _ctx: Ctx,
  deps: OrderDeps,
  id: string,
  who: Requester,
  optionId: string,
  ifMatch: number | undefined,
): Promise<CartView> {
  const cart = await loadOwnedCart(deps, id, who);
  const items = await carts.listItems(deps.db, cart.id);
  const options = cart.shipping_address
    ? await optionsFor(deps, cart.shipping_address, cart.currency, items)
    : await shippingOptions(deps, cart);
  if (!options.some((o) => o.id === optionId))
    throw new AppError(
      'unprocessable',
      'unknown_shipping_option',
      `Shipping option ${optionId} is not offered for this cart`,
      {
        fields: [{ path: 'body.optionId', message: 'not one of the cart’s shipping options' }],
      },
    );
  const updated = await mutate(deps, id, who, ifMatch, async (tx, locked) => {
    // The address may have changed since the options were computed; the options must match it.
    const a = locked.shipping_address;
    const b = cart.shipping_address;
    if (!a || !b || a.country !== b.country || a.postalCode !== b.postalCode)
      throw conflict('The shipping address changed; fetch the shipping options again');
    return { cart: await carts.setShippingOption(tx, locked.id, optionId) };
  });
  // Items change only through a version bump: when ours was the only one since the read, the items
  // read then are the cart's items now.
  const unchanged = updated.cart.version === cart.version + 1;
  return cartView(deps, updated.cart, updated.items ?? (unchanged ? items : undefined));
}

const promotionsUnavailable = () =>
  new AppError('unprocessable', 'promotions_unavailable', 'Promotions are not available in this deployment');

/**
 * POST /carts/{id}/promotions: keeps the code on the cart (upper case, at most
 * PROMOTION_MAX_CODES_PER_CART). A code no live promotion has is 422 `unknown_promotion_code` and is
 * not kept; a known code that does not apply now is kept and shown as refused with its reason, so
 * it applies by itself once the cart meets it (docs/promotions.md).
 */
export async function addPromotionCode(
  _ctx: Ctx,
  deps: OrderDeps,
  id: string,
  who: Requester,
  rawCode: string,
  ifMatch: number | undefined,
): Promise<CartView> {
  if (!deps.promotions) throw promotionsUnavailable();
  await loadOwnedCart(deps, id, who);
  const code = normalizeCode(rawCode);
  const [known] = await deps.promotions.knownCodes([code]);
  if (!known)
    throw new AppError('unprocessable', 'unknown_promotion_code', `No promotion has the code ${code}`, {
      fields: [{ path: 'body.code', message: 'no such promotion code' }],
    });
  const max = deps.config.PROMOTION_MAX_CODES_PER_CART;
  const updated = await mutate(deps, id, who, ifMatch, async (tx, cart) => {
    if (cart.promotion_codes.includes(code)) return {};
    if (cart.promotion_codes.length >= max)
      throw new AppError('unprocessable', 'too_many_promotion_codes', `A cart holds at most ${max} codes`);
    return { cart: await carts.setPromotionCodes(tx, cart.id, [...cart.promotion_codes, code]) };
  });
  return cartView(deps, updated.cart, updated.items);
}

/** DELETE /carts/{id}/promotions/{code}: 404 when the cart does not hold the code. */
export async function removePromotionCode(
  _ctx: Ctx,
  deps: OrderDeps,
  id: string,
  who: Requester,
  rawCode: string,
  ifMatch: number | undefined,
): Promise<CartView> {
  const code = normalizeCode(rawCode);
  const updated = await mutate(deps, id, who, ifMatch, async (tx, cart) => {
    if (!cart.promotion_codes.includes(code)) throw notFound('Promotion code on the cart', code);
    return {
      cart: await carts.setPromotionCodes(
        tx,
        cart.id,
        cart.promotion_codes.filter((c) => c !== code),
      ),
    };
  });
  return cartView(deps, updated.cart, updated.items);
}
