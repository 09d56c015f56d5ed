import { defineConsumer } from '../../../platform/eventing/index.js';
import type { LifecycleDeps } from '../app/deps.js';
import { advancePaymentStatus, applyToOrder } from '../app/order-transition.js';
import { recordReturnRefund } from '../app/return-completion.js';
import type { OrderDB } from '../data/tables.js';

/**
 * The payment service's facts about an order's payment. Every handler tolerates duplicates and
 * any order of arrival (G4, G6): order status moves only along the transition table (a stale
 * `confirmed` after `cancelled` changes nothing), payment status only forward in its graph.
 */
export function paymentEventConsumers(deps: Pick<LifecycleDeps, 'clock' | 'metrics'>) {
  return [
    // Funds captured (card), COD collected or transfer received → confirmed (02-events.md); the
    // warehouse confirms the reservation when it sees `confirmed`.
    defineConsumer<'payments.payment.confirmed', OrderDB>({
      subscription: 'order.payment-confirmed',
      topic: 'payments.payment.confirmed',
      async handle(tx, event, ctx) {
        const { orderId, paymentId } = event.data;
        const now = deps.clock.now();
        const moved = await applyToOrder(tx, orderId, now, (o) =>
          o.status === 'pending' && o.payment_id === paymentId
            ? {
                to: 'confirmed',
                reason: 'payment_confirmed',
                set: {
                  payment_status: 'captured',
                  confirmed_at: now,
                  ...(o.capture_state === 'scheduled'
                    ? { capture_state: 'captured' as const, capture_next_at: null }
                    : {}),
                },
              }
            : undefined,
        );
        // Already confirmed, or cancelled meanwhile (payment then refunds on the cancellation).
        if (!moved) await advancePaymentStatus(tx, orderId, 'captured', now);
        ctx.logger.debug({ orderId, confirmed: Boolean(moved) }, 'payment confirmed');
      },
    }),
    // Payment failed (capture refused, transfer expired) → cancelled; the status event releases stock.
    defineConsumer<'payments.payment.failed', OrderDB>({
      subscription: 'order.payment-failed',
      topic: 'payments.payment.failed',
      async handle(tx, event, ctx) {
        const { orderId, paymentId } = event.data;
        const now = deps.clock.now();
        let reason = 'payment_failed';
        const moved = await applyToOrder(tx, orderId, now, (o) => {
          if (o.status !== 'pending' || o.payment_id !== paymentId) return undefined;
          // A refused capture is the capture's failure, whichever of the two paths records it first.
          reason = o.capture_attempts > 0 ? 'capture_failed' : 'payment_failed';
          return {
            to: 'cancelled',
            reason,
            set: {
              payment_status: 'failed',
              cancelled_at: now,
              cancelled_by: 'system',
              cancel_reason: reason,
              ...(o.capture_state === 'scheduled'
                ? {
                    capture_state: 'failed' as const,
                    capture_next_at: null,
                    capture_last_error: event.data.code,
                  }
                : {}),
            },
          };
        });
        if (moved) deps.metrics.cancellations.inc({ reason });
        else await advancePaymentStatus(tx, orderId, 'failed', now);
        ctx.logger.debug({ orderId, cancelled: Boolean(moved) }, 'payment failed');
      },
    }),
    defineConsumer<'payments.payment.voided', OrderDB>({
      subscription: 'order.payment-voided',
      topic: 'payments.payment.voided',
      async handle(tx, event) {
        await advancePaymentStatus(tx, event.data.orderId, 'voided', deps.clock.now());
      },
    }),
    defineConsumer<'payments.refund.completed', OrderDB>({
      subscription: 'order.refund-completed',
      topic: 'payments.refund.completed',
      async handle(tx, event, ctx) {
        const { orderId, returnId, refundId, fullyRefunded } = event.data;
        const now = deps.clock.now();
        // A return's refund: recorded as its refund step (whichever of this and the step runner is
        // first), completing the return when its restock is done too (docs/order-lifecycle.md).
        // First, before the order row: returns lock their row before their order's, everywhere.
        if (returnId) await recordReturnRefund(tx, { orderId, returnId, refundId }, now, ctx.logger);
        // A full refund of a delivered order outside any return (a cancelled order stays cancelled).
        else if (fullyRefunded)
          await applyToOrder(tx, orderId, now, (o) =>
            o.status === 'delivered' ? { to: 'refunded', reason: 'refunded' } : undefined,
          );
        await advancePaymentStatus(tx, orderId, fullyRefunded ? 'refunded' : 'partially_refunded', now);
      },
    }),
  ];
}
