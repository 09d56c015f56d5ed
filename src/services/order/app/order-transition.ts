import type { Transaction, Updateable } from 'kysely';
import type { EventPayload } from '../../../contracts/index.js';
import { conflict } from '../../../platform/errors/app-error.js';
import { publish } from '../../../platform/eventing/index.js';
import { money, toJson } from '../../../platform/money.js';
import type { OrderItemRow, OrderRow } from '../data/order.repository.js';
import { orderRepository as orders } from '../data/order.repository.js';
import { lifecycleRepository as lifecycle } from '../data/order-lifecycle.repository.js';
import type { OrderDB, OrdersTable } from '../data/tables.js';
import {
  assertTransition,
  canTransitionPayment,
  type OrderPaymentStatus,
  type OrderStatus,
  PAYMENT_STATUSES,
} from '../domain/order-status.js';

type Tx = Transaction<OrderDB>;

/** The `orders.order.status_changed` payload of 02-events.md for a row after its change. */
export function statusChangedPayload(
  order: OrderRow,
  oldStatus: OrderStatus | null,
  items: readonly OrderItemRow[],
  reason: string | null,
  at: Date,
): EventPayload<'orders.order.status_changed'> {
  return {
    orderId: order.id,
    customerId: order.customer_id,
    oldStatus,
    newStatus: order.status,
    sequence: order.sequence,
    total: toJson(money(order.total, order.currency)),
    currency: order.currency,
    paymentMethod: order.payment_method,
    paymentId: order.payment_id,
    reservationId: order.reservation_id,
    shippingCarrier: order.shipping_carrier,
    items: items.map((i) => ({
      sku: i.sku,
      productId: i.product_id,
      quantity: i.quantity,
      unitPrice: toJson(money(i.unit_price, order.currency)),
      warehouseId: i.warehouse_id,
    })),
    reason,
    occurredAt: at.toISOString(),
  };
}

export interface Transition {
  to: OrderStatus;
  reason: string | null;
  /** Other columns that change with the status (payment status, cancellation, capture state). */
  set?: Updateable<OrdersTable>;
}

/**
 * THE way an order changes status: guard (transition table, OR-P1-02), one conditional UPDATE on
 * the status and sequence that were read with `sequence + 1`, and the outbox row in the same
 * transaction (G3, G6). Returns undefined when another writer changed the order first.
 */
export async function transitionOrder(
  tx: Tx,
  order: OrderRow,
  change: Transition,
  now: Date,
): Promise<OrderRow | undefined> {
  assertTransition(order.status, change.to);
  const updated = await lifecycle.changeStatus(tx, order, change.to, { ...change.set, updated_at: now });
  if (!updated) return undefined;
  const items = await orders.listItems(tx, order.id);
  await publish(
    tx,
    'orders.order.status_changed',
    order.id,
    statusChangedPayload(updated, order.status, items, change.reason, now),
  );
  return updated;
}

/**
 * Runs `decide` on the current row and applies its transition; when a concurrent writer won the
 * conditional update, reads again and decides again (bounded), so consumers and jobs never act on
 * a stale read. `decide` returns undefined for "nothing to do".
 */
export async function applyToOrder(
  tx: Tx,
  orderId: string,
  now: Date,
  decide: (order: OrderRow) => Transition | undefined,
): Promise<OrderRow | undefined> {
  for (let i = 0; i < 3; i++) {
    const order = await orders.findOrder(tx, orderId);
    if (!order) return undefined;
    const change = decide(order);
    if (!change) return undefined;
    const moved = await transitionOrder(tx, order, change, now);
    if (moved) return moved;
  }
  throw conflict(`Order ${orderId} kept changing; retry`);
}

/**
 * Payment facts arrive without a sequence, in any order (G6): the order takes a payment status
 * when it lies AHEAD of the current one in the payment graph (reachable), so a late `captured`
 * never overwrites `refunded` and an early `refunded` is not lost.
 */
export function paymentStatusAhead(from: OrderPaymentStatus, to: OrderPaymentStatus): boolean {
  if (from === to) return false;
  const seen = new Set<OrderPaymentStatus>([from]);
  const queue: OrderPaymentStatus[] = [from];
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const next of PAYMENT_STATUSES)
      if (!seen.has(next) && canTransitionPayment(at, next)) {
        if (next === to) return true;
        seen.add(next);
        queue.push(next);
      }
  }
  return false;
}

/** Moves the order's payment status forward when `to` is ahead; a no-op otherwise. */
export async function advancePaymentStatus(
  tx: Tx,
  orderId: string,
  to: OrderPaymentStatus,
  now: Date,
): Promise<boolean> {
  for (let i = 0; i < 3; i++) {
    const order = await orders.findOrder(tx, orderId);
    if (!order || !paymentStatusAhead(order.payment_status, to)) return false;
    if (await lifecycle.setPaymentStatus(tx, orderId, order.payment_status, to, now)) return true;
  }
  throw conflict(`Order ${orderId} payment status kept changing; retry`);
}
