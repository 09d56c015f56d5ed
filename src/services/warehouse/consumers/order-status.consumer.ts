import { defineConsumer } from '../../../platform/eventing/index.js';
import { claimOrderSequence } from '../../../platform/inbox/sequence-guard.js';
import type { WarehouseDeps } from '../app/deps.js';
import { confirmReservationIn, releaseReservationIn } from '../app/reservation-lifecycle.js';
import type { WarehouseDB } from '../data/tables.js';

/**
 * `orders.order.status_changed` (02-events.md): `confirmed` → the reservation is confirmed (payment
 * received: it no longer expires); `cancelled` → released (idempotent). Both in the inbox
 * transaction, so the stock change and "event applied" commit together (G4). An event not newer
 * than the last applied for the order changes nothing (G6). A reservation that expired before the
 * confirmation arrived stays expired: the warehouse already announced the expiry and the order
 * cancels on it.
 */
export const orderStatusConsumer = (deps: WarehouseDeps) =>
  defineConsumer<'orders.order.status_changed', WarehouseDB>({
    subscription: 'warehouse.order-status',
    topic: 'orders.order.status_changed',
    async handle(tx, event, ctx) {
      const { orderId, newStatus, sequence, reservationId } = event.data;
      if (!(await claimOrderSequence(tx, orderId, sequence, deps.clock.now()))) {
        ctx.logger.debug({ orderId, sequence }, 'stale order status ignored');
        return;
      }
      if (!reservationId) return;
      if (newStatus === 'confirmed') {
        const outcome = await confirmReservationIn(tx, deps, reservationId);
        if (outcome !== 'confirmed')
          ctx.logger.warn(
            { orderId, reservationId, outcome },
            'order confirmed but its reservation is no longer live',
          );
      } else if (newStatus === 'cancelled') {
        await releaseReservationIn(
          tx,
          deps,
          reservationId,
          `order:${orderId}`,
          `order cancelled: ${event.data.reason ?? ''}`,
        );
      }
    },
  });
