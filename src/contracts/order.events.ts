import { z } from 'zod';
import { currency, id, lineItem, money, occurredAt, orderStatus, quantity, sku } from './common.schemas.js';
import { defineEvent, type ServiceName } from './contract.js';
import { CUSTOMER_STATISTICS } from './deferred.js';

/** order topics. There is no orders.order.completed / .cancelled: read status_changed (A9). */
export const orderStatusChanged = defineEvent({
  topic: 'orders.order.status_changed',
  version: 1,
  publisher: 'order',
  consumers: [
    'fulfillment',
    'warehouse',
    'payment',
    'shipping',
    'analytics',
    'customer',
    'loyalty',
    'promotion',
    'notification',
    'review',
  ],
  key: 'order id',
  description:
    'THE order lifecycle topic; consumers switch on newStatus and ignore non-newer sequences (G6).',
  schema: z.object({
    orderId: id,
    customerId: id.nullable(),
    oldStatus: orderStatus.nullable(),
    newStatus: orderStatus,
    sequence: z.number().int().positive(),
    total: money,
    // Additive (v1): the order's currency as 02-events.md lists it, and the payment and reservation
    // the order holds, so payment can void/refund and warehouse release on `cancelled` without a lookup.
    currency: currency.optional(),
    paymentMethod: z.enum(['card', 'cod', 'bank_transfer']).optional(),
    paymentId: z.string().min(1).nullable().optional(),
    reservationId: z.string().min(1).nullable().optional(),
    // Additive (v1): the carrier of the shipping method the customer chose, carried by fulfillment
    // into `fulfillment.package_status_changed` so shipping books the parcel with it.
    shippingCarrier: z.string().min(1).optional(),
    items: z.array(lineItem.extend({ warehouseId: id.nullable().optional() })),
    reason: z.string().nullable(),
    occurredAt,
  }),
});

export const captureRequested = defineEvent({
  topic: 'orders.payment.capture_requested',
  version: 1,
  publisher: 'order',
  consumers: ['order'],
  key: 'order id',
  description: "Asynchronous capture step, handled by order's own worker.",
  schema: z.object({ orderId: id, paymentId: id, amount: money, occurredAt }),
});

const returnItem = z.object({ sku, quantity, warehouseId: id.nullable() });
const returnBase = z.object({ returnId: id, orderId: id, customerId: id.nullable(), occurredAt });
// Restock (warehouse) and refund (payment) are the return's compensable steps, run by the order
// service through their clients before it announces `completed` (docs/order-lifecycle.md
// "Returns"), so they are not consumers of these topics: the event tells the rest of the store.
const returnDeferred = {
  warehouse: 'restock is a step of the return, run by the order service through the warehouse client',
  payment: 'the refund is a step of the return, run by the order service through the payment client',
  customer: CUSTOMER_STATISTICS,
} as const;
const returnTopic = <const T extends string, S extends z.ZodType>(
  topic: T,
  schema: S,
  description: string,
  {
    consumers = ['analytics', 'notification'],
    deferred = returnDeferred,
  }: { consumers?: ServiceName[]; deferred?: Partial<Record<ServiceName, string>> } = {},
) =>
  defineEvent({
    topic,
    version: 1,
    publisher: 'order',
    consumers,
    deferredConsumers: deferred,
    key: 'return id',
    description,
    schema,
  });

export const returnRequested = returnTopic(
  'orders.return.requested',
  returnBase.extend({ items: z.array(returnItem), reason: z.string().nullable() }),
  'A customer asked to return items.',
);
export const returnApproved = returnTopic('orders.return.approved', returnBase, 'A return was approved.');
export const returnRejected = returnTopic(
  'orders.return.rejected',
  returnBase.extend({ reason: z.string().nullable() }),
  'A return was rejected.',
);
export const returnCompleted = returnTopic(
  'orders.return.completed',
  returnBase.extend({ items: z.array(returnItem), refund: money }),
  'Returned goods received, restocked to the warehouses they shipped from and refunded.',
  // Customer statistics count returns (C14).
  {
    consumers: ['analytics', 'notification', 'customer'],
    deferred: { warehouse: returnDeferred.warehouse, payment: returnDeferred.payment },
  },
);
