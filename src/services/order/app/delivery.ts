import type { Transaction } from 'kysely';
import type { EventPayload } from '../../../contracts/index.js';
import { transaction } from '../../../platform/eventing/index.js';
import { deliveryRepository as delivery } from '../data/delivery.repository.js';
import { orderRepository as orders } from '../data/order.repository.js';
import type { OrderDB } from '../data/tables.js';
import type { LifecycleDeps } from './deps.js';
import { applyToOrder } from './order-transition.js';

type Tx = Transaction<OrderDB>;
type FulfillmentChange = EventPayload<'fulfillments.fulfillment.status_changed'>;

/** Fulfillment statuses that mean "work on the order started" (02-events.md: processing). */
const STARTED = new Set(['picking', 'picked', 'packing', 'packed', 'ready_to_ship', 'shipped', 'completed']);

/**
 * `fulfillments.fulfillment.status_changed` → the order (02-events.md, ORD-P0-02): the first
 * fulfillment that starts moves a confirmed order to `processing`; once every fulfillment shipped
 * (fulfillment `completed` counts as shipped, never as delivered) the order is `shipped`. The
 * "all shipped" fact is stored first, so it is not lost when it arrives before `confirmed` was
 * applied (events of different topics are not ordered with each other). Returns true when the
 * order became `shipped`.
 */
export async function applyFulfillmentChange(
  tx: Tx,
  deps: Pick<LifecycleDeps, 'clock'>,
  change: FulfillmentChange,
): Promise<boolean> {
  // A fulfillment announcing its creation (oldStatus null) or a cancelled leg moves nothing here:
  // the order's cancellation is what cancels fulfillments, not the other way round.
  if (change.oldStatus === null || !STARTED.has(change.newStatus)) return false;
  const now = deps.clock.now();
  if ((change.newStatus === 'shipped' || change.newStatus === 'completed') && change.allReachedStatus)
    await delivery.markAllFulfillmentsShipped(tx, change.orderId, now);
  await applyToOrder(tx, change.orderId, now, (o) =>
    o.status === 'confirmed'
      ? { to: 'processing', reason: 'fulfillment_started', set: { processing_at: now } }
      : undefined,
  );
  const shipped = await applyToOrder(tx, change.orderId, now, (o) =>
    o.status === 'processing' && o.all_fulfillments_shipped_at
      ? { to: 'shipped', reason: 'all_fulfillments_shipped', set: { shipped_at: now } }
      : undefined,
  );
  return Boolean(shipped?.all_shipments_delivered_at);
}

/**
 * `delivered` only from shipping, for ALL shipments (02-events.md). Shipping's
 * `allShipmentsDelivered` speaks of the shipments it had when it published — a warehouse leg
 * packed later adds more — so the order asks shipping for the current picture once it is itself
 * `shipped` (every fulfillment shipped, so every parcel has its shipment). Runs outside any
 * consumer transaction (a kick after the consumer, and the delivery-check job). Returns false
 * while the order is not `shipped` with the "all delivered" fact (the kick then looks again later;
 * the job only visits orders that are), true once decided.
 */
export async function settleDelivery(deps: LifecycleDeps, orderId: string): Promise<boolean> {
  const order = await orders.findOrder(deps.db, orderId);
  // Not (yet) shipped and told "all delivered": with PostgreSQL a kick may run before the
  // consumer's transaction committed, so answer "not found" and let the kick look again.
  if (order?.status !== 'shipped' || !order.all_shipments_delivered_at) return false;
  const told = order.all_shipments_delivered_at;
  const live = (await deps.shipments.shipmentsForOrder(orderId)).filter((s) => s.status !== 'cancelled');
  if (live.length === 0 || !live.every((s) => s.status === 'delivered')) {
    await delivery.clearAllShipmentsDelivered(deps.db, orderId, told);
    return true;
  }
  const times = live.map((s) => (s.deliveredAt ? Date.parse(s.deliveredAt) : Number.NaN));
  const now = deps.clock.now();
  const deliveredAt = times.every(Number.isFinite) ? new Date(Math.max(...times)) : now;
  await transaction(deps.db, (tx) =>
    applyToOrder(tx, orderId, now, (o) =>
      o.status === 'shipped'
        ? { to: 'delivered', reason: 'all_shipments_delivered', set: { delivered_at: deliveredAt } }
        : undefined,
    ),
  );
  return true;
}
