import { notFound } from '../../../platform/errors/app-error.js';
import { toJson } from '../../../platform/money.js';
import type { PaymentView } from '../../payment/contract/client.js';
import { type OrderFilter, orderRepository as orders } from '../data/order.repository.js';
import { decodeOrderCursor, encodeOrderCursor } from '../domain/order-cursor.js';
import type { OrderDeps } from './deps.js';
import { type OrderView, toOrderView } from './order-view.js';

export interface Page {
  limit: number;
  cursor?: string | undefined;
}

/** One page of orders with their items: two statements whatever the page size (no N+1). */
async function pageOf(deps: OrderDeps, filter: OrderFilter, page: Page) {
  const rows = await orders.page(deps.db, filter, decodeOrderCursor(page.cursor), page.limit);
  const more = rows.length > page.limit;
  const shown = more ? rows.slice(0, page.limit) : rows;
  const items = await orders.listItemsOf(
    deps.db,
    shown.map((o) => o.id),
  );
  const byOrder = new Map<string, typeof items>();
  for (const i of items) byOrder.set(i.order_id, [...(byOrder.get(i.order_id) ?? []), i]);
  return {
    rows: shown,
    views: shown.map((o) => toOrderView(o, byOrder.get(o.id) ?? [])),
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

/** GET /admin/orders/{id}: the owner's view plus operator fields and the payments (payment client). */
export async function getAdminOrder(deps: OrderDeps, id: string) {
  const order = await orders.findOrder(deps.db, id);
  if (!order) throw notFound('Order', id);
  const [items, payments] = await Promise.all([
    orders.listItems(deps.db, id),
    deps.payment.paymentsForOrder(id),
  ]);
  return { ...toOrderView(order, items), ...adminExtras(order), payments: payments.map(paymentJson) };
}
