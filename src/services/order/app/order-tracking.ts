import type { ShipmentView } from '../../shipping/contract/client.js';
import type { Requester } from '../domain/cart-token.js';
import type { LifecycleDeps } from './deps.js';
import { findOwnedOrder } from './order-view.js';

/** A shipment with its tracking history, as owners and admins read it. */
export const trackingJson = (s: ShipmentView) => ({
  id: s.id,
  fulfillmentId: s.fulfillmentId,
  carrier: s.carrier,
  trackingNumber: s.trackingNumber,
  status: s.status,
  deliveredAt: s.deliveredAt,
  events: s.events.map((e) => ({ status: e.status, note: e.note, occurredAt: e.occurredAt })),
});

/**
 * GET /orders/{id}/tracking: the owner's shipments with their tracking events, read from shipping
 * (the source of truth for tracking) — one call, whatever the number of shipments.
 */
export async function getOwnedTracking(deps: LifecycleDeps, id: string, who: Requester) {
  const order = await findOwnedOrder(deps, id, who);
  const shipments = await deps.shipments.shipmentsForOrder(order.id);
  return { orderId: order.id, status: order.status, shipments: shipments.map(trackingJson) };
}
