import { notFound } from '../../../platform/errors/app-error.js';
import { toJson } from '../../../platform/money.js';
import type { PaymentView } from '../../payment/contract/client.js';
import { type OrderFilter, orderRepository as orders } from '../data/order.repository.js';
import { shipmentRepository } from '../data/shipment.repository.js';
import { decodeOrderCursor, encodeOrderCursor } from '../domain/order-cursor.js';
import type { LifecycleDeps, OrderDeps } from './deps.js';
import { trackingJson } from './order-tracking.js';
import { loadOrderView, type OrderView, toOrderView } from './order-view.js';

export interface Page {
  limit: number;
  cursor?: string | undefined;
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(key(r));
    if (list) list.push(r);
    else out.set(key(r), [r]);
  }
  return out;
}

/** One page of orders with their items and shipments: three statements whatever the page size (no N+1). */
async function pageOf(deps: OrderDeps, filter: OrderFilter, page: Page) {
  const rows = await orders.page(deps.db, filter, decodeOrderCursor(page.cursor), page.limit);
  const more = rows.length > page.limit;
  const shown = more ? rows.slice(0, page.limit) : rows;
  const ids = shown.map((o) => o.id);
  const [items, shipments] = await Promise.all([
    orders.listItemsOf(deps.db, ids),
    shipmentRepository.ofOrders(deps.db, ids),
  ]);
  const itemsOf = groupBy(items, (i) => i.order_id);
  const shipmentsOf = groupBy(shipments, (s) => s.order_id);
  return {
    rows: shown,
    views: shown.map((o) => toOrderView(o, itemsOf.get(o.id) ?? [], shipmentsOf.get(o.id) ?? [])),
    nextCursor: more ? encodeOrderCursor(shown.at(-1)!.id) : null,
  };
}

/** GET /orders: the signed-in customer's own orders (G9), newest first. */
export async function listCustomerOrders(
  deps: OrderDeps,
  customerId: string,
  page: Page,
): Promise<{ items: OrderView[]; nextCursor: string | null }> {
  const { views, nextCursor } = await pageOf(deps, { customerId }, page);
  return { items: views, nextCursor };
}

/** What operators see beyond the owner's view. */
function adminExtras(order: Awaited<ReturnType<typeof orders.findOrder>> & object) {
  return {
    customerId: order.customer_id,
    sequence: order.sequence,
    capture: order.capture_state
      ? {
          state: order.capture_state,
          attempts: order.capture_attempts,
          nextAttemptAt: order.capture_next_at?.toISOString() ?? null,
          lastError: order.capture_last_error,
        }
      : null,
    reservationId: order.reservation_id,
    reservationReleasedAt: order.reservation_released_at?.toISOString() ?? null,
  };
}

/** GET /admin/orders: filters by status, customer and creation dates; keyset pages. */
export async function listAdminOrders(deps: OrderDeps, filter: OrderFilter, page: Page) {
  const { rows, views, nextCursor } = await pageOf(deps, filter, page);
  return { items: views.map((v, i) => ({ ...v, ...adminExtras(rows[i]!) })), nextCursor };
}

const paymentJson = (p: PaymentView) => ({
  id: p.id,
  provider: p.provider,
  method: p.method,
  status: p.status,
  amount: toJson(p.amount),
  capturedAmount: toJson(p.capturedAmount),
  refundedAmount: toJson(p.refundedAmount),
});

/**
 * GET /admin/orders/{id}: the owner's view plus operator fields, the payments (payment client) and
 * the shipments with their tracking events (shipping client).
 */
export async function getAdminOrder(deps: LifecycleDeps, id: string) {
  const order = await orders.findOrder(deps.db, id);
  if (!order) throw notFound('Order', id);
  const [view, payments, shipments] = await Promise.all([
    loadOrderView(deps.db, order),
    deps.payment.paymentsForOrder(id),
    deps.shipments.shipmentsForOrder(id),
  ]);
  return {
    ...view,
    ...adminExtras(order),
    payments: payments.map(paymentJson),
    tracking: shipments.map(trackingJson),
  };
}
