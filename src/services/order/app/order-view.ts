import type { Kysely } from 'kysely';
import { notFound } from '../../../platform/errors/app-error.js';
import { money, toJson } from '../../../platform/money.js';
import type { OrderItemRow, OrderRow } from '../data/order.repository.js';
import { orderRepository as orders } from '../data/order.repository.js';
import { type OrderShipmentRow, shipmentRepository } from '../data/shipment.repository.js';
import type { OrderDB } from '../data/tables.js';
import { isOwner, type Requester } from '../domain/cart-token.js';
import type { OrderDeps } from './deps.js';

/** The order as checkout's 201 and GET /orders/{id} return it. One row per sku and warehouse. */
export function toOrderView(
  order: OrderRow,
  items: readonly OrderItemRow[],
  shipments: readonly OrderShipmentRow[] = [],
) {
  const m = (amount: bigint) => toJson(money(amount, order.currency));
  return {
    id: order.id,
    status: order.status,
    paymentStatus: order.payment_status,
    currency: order.currency,
    items: items.map((i) => ({
      id: i.id,
      sku: i.sku,
      productId: i.product_id,
      name: i.name,
      quantity: i.quantity,
      unitPrice: m(i.unit_price),
      lineTotal: m(i.line_total),
      discount: m(i.discount),
      warehouseId: i.warehouse_id,
    })),
    totals: {
      subtotal: m(order.subtotal),
      discount: m(order.discount),
      shipping: m(order.shipping),
      tax: m(order.tax),
      total: m(order.total),
    },
    // The promotions the order was placed with; `totals.discount` is their sum (docs/promotions.md).
    discounts: order.promotions.map((p) => ({
      promotionId: p.promotionId,
      code: p.code,
      name: p.name,
      type: p.type,
      amount: m(BigInt(p.amount)),
      shippingAmount: m(BigInt(p.shippingAmount)),
    })),
    shippingAddress: order.shipping_address,
    shippingMethod: {
      id: order.shipping_option_id,
      name: order.shipping_option_name,
      carrier: order.shipping_carrier,
      price: m(order.shipping),
    },
    payment: { id: order.payment_id, method: order.payment_method, status: order.payment_status },
    // The order's copy of shipping's events (data/shipment.repository.ts).
    shipments: shipments.map((s) => ({
      id: s.id,
      fulfillmentId: s.fulfillment_id,
      carrier: s.carrier,
      trackingNumber: s.tracking_number,
      status: s.status,
      updatedAt: s.updated_at.toISOString(),
    })),
    confirmedAt: order.confirmed_at?.toISOString() ?? null,
    processingAt: order.processing_at?.toISOString() ?? null,
    shippedAt: order.shipped_at?.toISOString() ?? null,
    deliveredAt: order.delivered_at?.toISOString() ?? null,
    completedAt: order.completed_at?.toISOString() ?? null,
    cancellation: order.cancelled_at
      ? {
          at: order.cancelled_at.toISOString(),
          by: order.cancelled_by ?? 'system',
          reason: order.cancel_reason,
        }
      : null,
    paymentDueAt: order.payment_due_at.toISOString(),
    createdAt: order.created_at.toISOString(),
    updatedAt: order.updated_at.toISOString(),
  };
}

export type OrderView = ReturnType<typeof toOrderView>;

/** The owner's order: the guest with the cart's token, or the customer; anyone else gets 404 (G9). */
export async function findOwnedOrder(
  deps: Pick<OrderDeps, 'db'>,
  id: string,
  who: Requester,
): Promise<OrderRow> {
  const order = await orders.findOrder(deps.db, id);
  if (!order || !isOwner({ tokenHash: order.guest_token_hash, customerId: order.customer_id }, who))
    throw notFound('Order', id);
  return order;
}

export async function getOwnedOrder(deps: OrderDeps, id: string, who: Requester): Promise<OrderView> {
  return loadOrderView(deps.db, await findOwnedOrder(deps, id, who));
}

/** The view of one order read from the database: its items and shipments (two statements). */
export async function loadOrderView(db: Kysely<OrderDB>, order: OrderRow): Promise<OrderView> {
  const [items, shipments] = await Promise.all([
    orders.listItems(db, order.id),
    shipmentRepository.ofOrders(db, [order.id]),
  ]);
  return toOrderView(order, items, shipments);
}
