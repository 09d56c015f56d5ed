import type { Ctx } from '../../../platform/context.js';
import { AppError, conflict } from '../../../platform/errors/app-error.js';
import {
  recordStep,
  recordSteps,
  stepIdempotencyKey,
  transaction,
} from '../../../platform/eventing/index.js';
import type {
  IdempotencyClaim,
  Prepared,
  StoredResponse,
} from '../../../platform/idempotency/idempotency.js';
import { newId } from '../../../platform/ids.js';
import { type Money, multiply, sum, toJson } from '../../../platform/money.js';
import type { StepRecord } from '../../../platform/saga/saga.log.js';
import type { PaymentMethod } from '../../payment/contract/client.js';
import type { Allocation } from '../../warehouse/contract/client.js';
import { type CartRow, cartRepository as carts } from '../data/cart.repository.js';
import { checkoutRepository as checkouts } from '../data/checkout.repository.js';
import type { OrderItemRow, OrderRow } from '../data/order.repository.js';
import { orderRepository as orders } from '../data/order.repository.js';
import { aggregateBySku } from '../domain/cart-totals.js';
import { type PricedCart, priceCart } from './cart-pricing.js';
import { compensateCheckout } from './checkout.compensation.js';
import {
  assertEnteredCodesHold,
  orderPromotions,
  releaseCheckoutPromotions,
  reserveCheckoutPromotions,
  splitLineDiscount,
} from './checkout.promotion-step.js';
import { CHECKOUT_SCOPE, type OrderDeps, SAGA_TYPE } from './deps.js';
import { assertRedeemable, redeemPointsStep } from './loyalty-redemption.step.js';
import { type OrderView, toOrderView } from './order-view.js';

export interface CheckoutInput {
  cartId: string;
  payment: { method: PaymentMethod; token?: string | undefined };
  /** Loyalty points to pay with (customers only): a discount on the merchandise. */
  loyaltyPoints?: number | undefined;
}

/**
 * The order's payment due date: card and bank transfer must be paid within it (order-cleanup
 * cancels after); a COD order must be confirmed within ORDER_COD_CONFIRMATION_WINDOW_HOURS
 * (cod-confirmation cancels after).
 */
export function paymentWindowSeconds(deps: Pick<OrderDeps, 'config'>, method: PaymentMethod): number {
  if (method === 'bank_transfer') return deps.config.CHECKOUT_BANK_TRANSFER_WINDOW_HOURS * 3600;
  if (method === 'cod') return deps.config.ORDER_COD_CONFIRMATION_WINDOW_HOURS * 3600;
  return deps.config.CHECKOUT_PAYMENT_WINDOW_MINUTES * 60;
}

/**
 * How long the stock is held: the payment window, and for COD a card payment window more, so the
 * COD job cancels an unconfirmed order (`cod_confirmation_window_expired`) before the reservation
 * itself expires (confirmation makes it permanent long before).
 */
export function holdSeconds(deps: Pick<OrderDeps, 'config'>, method: PaymentMethod): number {
  const window = paymentWindowSeconds(deps, method);
  return method === 'cod' ? window + deps.config.CHECKOUT_PAYMENT_WINDOW_MINUTES * 60 : window;
}

const unprocessable = (code: string, detail: string, extra?: Record<string, unknown>) =>
  new AppError('unprocessable', code, detail, extra ? { extra } : {});

/** Step 1 (validate) and 2 (quote): no side effect yet, so a failure here is not recorded (Stripe). */
async function validateAndQuote(deps: OrderDeps, cart: CartRow): Promise<PricedCart & { cart: CartRow }> {
  if (cart.status !== 'active') throw conflict(`The cart is ${cart.status}`, 'cart_not_active');
  const items = await carts.listItems(deps.db, cart.id);
  if (items.length === 0) throw unprocessable('cart_empty', 'The cart has no items');
  if (!cart.shipping_address)
    throw unprocessable('shipping_address_required', 'Set a shipping address before checking out');
  if (!cart.shipping_option_id)
    throw unprocessable('shipping_method_required', 'Choose a shipping method before checking out');
  const priced = await priceCart(deps, cart, items);
  const gone = priced.lines.filter((l) => l.product?.status !== 'active').map((l) => l.item.sku);
  if (gone.length > 0)
    throw unprocessable('product_unavailable', `No longer sold: ${gone.join(', ')}`, { skus: gone });
  if (priced.missing.length > 0)
    throw unprocessable('price_unavailable', `No price for: ${priced.missing.join(', ')}`, {
      skus: priced.missing,
    });
  if (!priced.shipping)
    throw unprocessable('shipping_option_unavailable', 'The chosen shipping method is no longer offered');
  assertEnteredCodesHold(priced);
  return { ...priced, cart };
}

/** The order rows from the quote and the warehouse's allocation: one item row per sku and warehouse. */
function orderItemsFrom(orderId: string, priced: PricedCart, allocations: Allocation[]): OrderItemRow[] {
  const rows: OrderItemRow[] = [];
  for (const { item, product, quote } of priced.lines) {
    const mine = allocations.filter((a) => a.sku === item.sku);
    const allocated = mine.reduce((n, a) => n + a.quantity, 0);
    if (allocated !== item.quantity)
      throw new AppError(
        'internal',
        'allocation_mismatch',
        `Warehouse allocated ${allocated} of ${item.quantity} ${item.sku}`,
      );
    // The line's discount split over its warehouse rows by quantity (exact: PM-P0-02).
    const shares = splitLineDiscount(
      priced.promotions?.lineDiscounts.get(item.id),
      mine.map((a) => a.quantity),
    );
    for (const [k, a] of mine.entries()) {
      const unit = quote!.unitPrice;
      rows.push({
        id: newId(),
        order_id: orderId,
        sku: item.sku,
        product_id: item.product_id,
        name: product!.name,
        quantity: a.quantity,
        unit_price: unit.amount,
        line_total: multiply(unit, a.quantity).amount,
        warehouse_id: a.warehouseId,
        discount: shares[k]!,
      });
    }
  }
  return rows;
}

export type QuotedCart = PricedCart & { cart: CartRow };
export interface PreparedCheckout {
  id: string;
  quote: QuotedCart;
}

/**
 * Steps 1 (validate) and 2 (quote), before the Idempotency-Key is claimed: a failure here records
 * nothing. What it returns is written with the claim in one transaction: the checkout row and the
 * steps so far, `reserve` among them as started, so a crash from here on is compensated by recovery
 * (which finds a reservation by its reference and payments by the checkout id).
 */
export async function prepareCheckout(
  deps: OrderDeps,
  cart: CartRow,
  input: CheckoutInput,
  key: string,
): Promise<Prepared<PreparedCheckout>> {
  const quote = await validateAndQuote(deps, cart);
  assertRedeemable(deps, cart, input.loyaltyPoints);
  const id = newId();
  return {
    value: { id, quote },
    resourceId: id,
    write: async (tx) => {
      const now = deps.clock.now();
      await checkouts.insert(tx, {
        id,
        cartId: cart.id,
        scope: CHECKOUT_SCOPE,
        key,
        method: input.payment.method,
        now,
      });
      await recordSteps(
        tx,
        [
          { sagaType: SAGA_TYPE, sagaId: id, step: 'validate', status: 'completed' },
          {
            sagaType: SAGA_TYPE,
            sagaId: id,
            step: 'quote',
            status: 'completed',
            result: { total: toJson(quote.totals.total) },
          },
          { sagaType: SAGA_TYPE, sagaId: id, step: 'reserve', status: 'started' },
        ],
        now,
      );
    },
  };
}

/**
 * The checkout saga (04-services.md, OR-P0-03): validate → quote (prepared above) → reserve stock →
 * authorize payment → create the order, its items and `orders.order.status_changed` in ONE
 * transaction that also marks the cart checked out, records the completed steps and stores the
 * idempotent response. On the happy path that is four commits: claim + checkout row, the
 * warehouse's reservation, the payment's (intent and outcome), the order. Every step carries a key
 * derived from the saga (`checkout:{id}:…`), so a retry never reserves or charges twice (G2); any
 * failure compensates what ran (G5).
 */
export async function runCheckout(
  ctx: Ctx,
  deps: OrderDeps,
  cart: CartRow,
  input: CheckoutInput,
  claim: IdempotencyClaim,
  prepared: PreparedCheckout,
): Promise<StoredResponse> {
  const { id, quote: q } = prepared;
  const now = () => deps.clock.now();
  const step = (name: string, status: 'started' | 'completed' | 'failed', result?: unknown, error?: string) =>
    recordStep(
      deps.db,
      { sagaType: SAGA_TYPE, sagaId: id, step: name, status, result, ...(error ? { error } : {}) },
      now(),
    );
  let totals = q.totals;
  const pointsRedeemStarted = Boolean(input.loyaltyPoints);

  // Reserve promotion usage (PM-P0-01), undone by releasing it if a later step fails.
  const promotionsReserved = await reserveCheckoutPromotions(deps, ctx, id, cart, q).catch(
    async (err: unknown) => {
      await checkouts.update(deps.db, id, { status: 'failed', error: errorCode(err), now: now() });
      throw err;
    },
  );
  const undoPromotions = () =>
    promotionsReserved ? releaseCheckoutPromotions(deps, ctx, id) : Promise.resolve();

  // Reserve stock (G1: the warehouse reserves all-or-nothing with conditional updates).
  const ttlSeconds = holdSeconds(deps, input.payment.method);
  const dueSeconds = paymentWindowSeconds(deps, input.payment.method);
  const address = cart.shipping_address!;
  const reserved = await deps.warehouse
    .reserve(ctx, {
      reference: stepIdempotencyKey(SAGA_TYPE, id, 'reserve'),
      orderId: id,
      items: aggregateBySku(q.lines.map((l) => ({ sku: l.item.sku, quantity: l.item.quantity }))),
      shipTo: { country: address.country, postalCode: address.postalCode },
      ttlSeconds,
    })
    .catch(async (err: unknown) => {
      // A thrown reserve took nothing (warehouse reserves in one transaction); record and rethrow.
      await step('reserve', 'failed', undefined, String((err as Error).message ?? err));
      await undoPromotions();
      await checkouts.update(deps.db, id, { status: 'failed', error: 'reserve failed', now: now() });
      throw err;
    });
  if (!reserved.ok) {
    await step('reserve', 'failed', { unavailable: reserved.unavailable });
    await undoPromotions();
    await checkouts.update(deps.db, id, { status: 'failed', error: 'out_of_stock', now: now() });
    throw new AppError('conflict', 'out_of_stock', 'Not enough stock for some items', {
      extra: { unavailable: reserved.unavailable },
    });
  }
  const reservationId = reserved.reservationId;
  try {
    totals = await redeemPointsStep(ctx, deps, { id, cart, points: input.loyaltyPoints, totals });
  } catch (err) {
    await compensateCheckout(
      deps,
      ctx,
      { id, reservationId, authorizeStarted: false, pointsRedeemStarted, promotionsReserved },
      errorCode(err),
    );
    throw err;
  }

  let authorizeStarted = false;
  try {
    authorizeStarted = true;
    const auth = await deps.payment.authorize(ctx, {
      orderId: id,
      amount: totals.total,
      method: input.payment.method,
      token: input.payment.token,
      idempotencyKey: stepIdempotencyKey(SAGA_TYPE, id, 'authorize'),
    });
    if (!auth.ok) {
      await recordSteps(
        deps.db,
        [
          reserveCompleted(id, reservationId, reserved.allocations),
          {
            sagaType: SAGA_TYPE,
            sagaId: id,
            step: 'authorize',
            status: 'failed',
            result: { paymentId: auth.paymentId },
            error: auth.detail,
          },
        ],
        now(),
      );
      await checkouts.update(deps.db, id, { reservationId, paymentId: auth.paymentId, now: now() });
      await compensateCheckout(
        deps,
        ctx,
        { id, reservationId, authorizeStarted: false, pointsRedeemStarted, promotionsReserved },
        'payment_declined',
      );
      // A decline is a final outcome with a side effect: stored and replayed for this key (Stripe).
      return declined(auth.detail, auth.paymentId);
    }
    const completedSteps: StepRecord[] = [
      reserveCompleted(id, reservationId, reserved.allocations),
      {
        sagaType: SAGA_TYPE,
        sagaId: id,
        step: 'authorize',
        status: 'completed',
        result: { paymentId: auth.paymentId, status: auth.status },
      },
    ];

    const orderItems = orderItemsFrom(id, q, reserved.allocations);
    const itemsTotal = sum(
      orderItems.map((r) => ({ amount: r.line_total, currency: q.currency }) satisfies Money),
      q.currency,
    );
    if (itemsTotal.amount !== totals.subtotal.amount)
      throw new AppError('internal', 'quote_mismatch', 'Line totals do not add up to the quoted subtotal');
    const createdAt = now();
    const order: OrderRow = {
      id,
      cart_id: cart.id,
      customer_id: cart.customer_id,
      guest_token_hash: cart.token_hash,
      status: 'pending',
      payment_status: auth.status,
      payment_method: input.payment.method,
      payment_id: auth.paymentId,
      reservation_id: reservationId,
      currency: q.currency,
      subtotal: totals.subtotal.amount,
      discount: totals.discount.amount,
      shipping: totals.shipping.amount,
      tax: totals.tax.amount,
      total: totals.total.amount,
      shipping_address: address,
      shipping_option_id: q.shipping!.id,
      shipping_option_name: q.shipping!.name,
      shipping_carrier: q.shipping!.carrier,
      payment_due_at: new Date(createdAt.getTime() + dueSeconds * 1000),
      sequence: 1,
      created_at: createdAt,
      updated_at: createdAt,
      capture_state: null,
      capture_attempts: 0,
      capture_next_at: null,
      capture_last_error: null,
      confirmed_at: null,
      cancelled_at: null,
      cancelled_by: null,
      cancel_reason: null,
      reservation_released_at: null,
      processing_at: null,
      shipped_at: null,
      delivered_at: null,
      completed_at: null,
      all_fulfillments_shipped_at: null,
      all_shipments_delivered_at: null,
      promotions: orderPromotions(q),
    };
    const view = toOrderView(order, orderItems);
    await createOrder(deps, cart, order, orderItems, view, claim, completedSteps);
    return { status: 201, body: view };
  } catch (err) {
    await compensateCheckout(
      deps,
      ctx,
      { id, reservationId, authorizeStarted, pointsRedeemStarted, promotionsReserved },
      errorCode(err),
    );
    if (err instanceof AppError && err.code === 'payment_unavailable')
      throw new AppError(
        'unavailable',
        'payment_unavailable',
        'The payment provider is unavailable; retry later',
        {
          extra: { retryAfter: retryAfterSeconds(deps, err) },
          cause: err,
        },
      );
    throw err;
  }
}

/** Step 5: order, items, event, cart checked out, saga step and stored response — one transaction. */
async function createOrder(
  deps: OrderDeps,
  cart: CartRow,
  order: OrderRow,
  items: OrderItemRow[],
  view: OrderView,
  claim: IdempotencyClaim,
  completedSteps: StepRecord[],
): Promise<void> {
  await transaction(deps.db, async (tx) => {
    // The cart must be exactly what was quoted: a change (or a parallel checkout) since then loses.
    if (!(await carts.markCheckedOut(tx, cart.id, cart.version, order.created_at)))
      throw conflict('The cart changed during checkout; review it and check out again', 'cart_changed');
    const { created_at, updated_at, payment_due_at, shipping_address, promotions, ...rest } = order;
    await orders.insertOrder(
      tx,
      {
        ...rest,
        created_at,
        updated_at,
        payment_due_at,
        shipping_address: JSON.stringify(shipping_address),
        promotions: JSON.stringify(promotions),
      },
      items,
    );
    await tx.publish('orders.order.status_changed', order.id, {
      orderId: order.id,
      customerId: order.customer_id,
      oldStatus: null,
      newStatus: 'pending',
      sequence: order.sequence,
      total: view.totals.total,
      currency: order.currency,
      paymentMethod: order.payment_method,
      paymentId: order.payment_id,
      reservationId: order.reservation_id,
      items: items.map((i) => ({
        sku: i.sku,
        productId: i.product_id,
        quantity: i.quantity,
        unitPrice: toJson({ amount: i.unit_price, currency: order.currency }),
        warehouseId: i.warehouse_id,
      })),
      reason: null,
      occurredAt: order.created_at.toISOString(),
    });
    // Card orders capture asynchronously (02-events.md): the request commits with the order.
    if (order.payment_method === 'card' && order.payment_status === 'authorized')
      await tx.publish('orders.payment.capture_requested', order.id, {
        orderId: order.id,
        paymentId: order.payment_id,
        amount: view.totals.total,
        occurredAt: order.created_at.toISOString(),
      });
    await checkouts.update(tx, order.id, {
      status: 'completed',
      reservationId: order.reservation_id!,
      paymentId: order.payment_id!,
      now: order.created_at,
    });
    await recordSteps(
      tx,
      [
        ...completedSteps,
        {
          sagaType: SAGA_TYPE,
          sagaId: order.id,
          step: 'create-order',
          status: 'completed',
          result: { orderId: order.id },
        },
      ],
      order.created_at,
    );
    // G2: the response is stored with the order; a replay can never see one without the other.
    await claim.complete(tx, { status: 201, body: view });
  });
}

const reserveCompleted = (id: string, reservationId: string, allocations: Allocation[]): StepRecord => ({
  sagaType: SAGA_TYPE,
  sagaId: id,
  step: 'reserve',
  status: 'completed',
  result: { reservationId, allocations },
});

/** The stored body of an error outcome: replayed by the route as the same problem. */
export interface StoredProblem {
  code: string;
  detail: string;
  extra?: Record<string, unknown>;
}

function declined(detail: string, paymentId: string): StoredResponse {
  const body: StoredProblem = {
    code: 'payment_declined',
    detail: `The payment was declined: ${detail}`,
    extra: { paymentId },
  };
  return { status: 402, body };
}

const errorCode = (err: unknown): string =>
  err instanceof AppError ? err.code : err instanceof Error ? err.message.slice(0, 200) : 'unknown error';

/** Retry-After for an open circuit: what the payment service says, else the circuit's reset time. */
function retryAfterSeconds(deps: OrderDeps, err: AppError): number {
  const given = err.extra?.retryAfter;
  if (typeof given === 'number' && given > 0) return Math.ceil(given);
  return Math.ceil(deps.config.PAYMENT_CIRCUIT_RESET_MS / 1000);
}
