import { buildEnvelope } from '../outbox/outbox.publisher.js';

type OrderStatus = 'confirmed' | 'cancelled' | 'shipped';

/** An `orders.order.status_changed` delivery as the bus hands it over (JSON round trip). */
export const orderStatusEnvelope = (orderId: string, newStatus: OrderStatus = 'confirmed') =>
  JSON.parse(
    JSON.stringify(
      buildEnvelope('orders.order.status_changed', orderId, {
        orderId,
        customerId: null,
        oldStatus: 'pending',
        newStatus,
        sequence: 2,
        total: { amount: '1999', currency: 'EUR' },
        items: [{ sku: 'MUG-1', quantity: 1 }],
        reason: null,
        occurredAt: new Date().toISOString(),
      }),
    ),
  );
