import { defineConsumer } from '../../../platform/eventing/index.js';
import type { NotificationDeps } from '../app/deps.js';
import { type Background, queueForEvent } from '../app/messages.js';
import type { NotificationDB } from '../data/tables.js';
import { orderLinks } from '../domain/links.js';
import { messageConsumer } from './message-consumer.js';

/**
 * Customer messages for every moment of an order: confirmed, shipped (carrier and tracking link),
 * delivered (plus the consent-gated review invitation), cancelled, refund completed, and the return
 * steps. Source keys name the business fact, so an event delivered twice, re-published or arriving
 * out of order still sends exactly one message of each kind (G4). Guest orders have no address
 * with us and get none.
 */
const MESSAGED = new Set(['confirmed', 'shipped', 'delivered', 'cancelled']);

export function orderConsumers(deps: NotificationDeps, background: Background) {
  const links = orderLinks(deps.storefrontUrl);

  const orderStatus = defineConsumer<'orders.order.status_changed', NotificationDB>({
    subscription: 'notification.order-status',
    topic: 'orders.order.status_changed',
    // Guest orders have no address with us; only these statuses have a message.
    accepts: ({ data }) => data.customerId !== null && MESSAGED.has(data.newStatus),
    async handle(tx, event, ctx) {
      const d = event.data;
      const customer = { kind: 'customer' as const, customerId: d.customerId! };
      const common = {
        orderId: d.orderId,
        shortId: links.shortId(d.orderId),
        orderUrl: links.order(d.orderId),
      };
      const sourceKey = `order:${d.orderId}:${d.newStatus}`;
      switch (d.newStatus) {
        case 'confirmed':
          await queueForEvent(
            tx,
            deps,
            { background, afterCommit: ctx.afterCommit },
            {
              sourceKey,
              template: 'order_confirmed',
              target: customer,
              data: {
                ...common,
                total: d.total,
                items: d.items.map((i) => ({ sku: i.sku, quantity: i.quantity })),
              },
            },
          );
          return;
        case 'shipped':
          // Carriers and tracking numbers are read at delivery, outside this transaction (the
          // shipping client may need the same single embedded connection this transaction holds).
          await queueForEvent(
            tx,
            deps,
            { background, afterCommit: ctx.afterCommit },
            {
              sourceKey,
              template: 'order_shipped',
              target: customer,
              data: common,
            },
          );
          return;
        case 'delivered': {
          await queueForEvent(
            tx,
            deps,
            { background, afterCommit: ctx.afterCommit },
            {
              sourceKey,
              template: 'order_delivered',
              target: customer,
              data: common,
            },
          );
          const reviewable = d.items.flatMap((i) =>
            i.productId ? [{ sku: i.sku, reviewUrl: links.review(i.productId) }] : [],
          );
          // Marketing: stored like any message, sent only with consent (decided at delivery).
          if (reviewable.length > 0)
            await queueForEvent(
              tx,
              deps,
              { background, afterCommit: ctx.afterCommit },
              {
                sourceKey,
                template: 'review_invitation',
                target: customer,
                data: { ...common, items: reviewable },
              },
            );
          return;
        }
        case 'cancelled':
          await queueForEvent(
            tx,
            deps,
            { background, afterCommit: ctx.afterCommit },
            {
              sourceKey,
              template: 'order_cancelled',
              target: customer,
              data: { ...common, reason: d.reason },
            },
          );
          return;
        default:
          ctx.logger.debug({ orderId: d.orderId, status: d.newStatus }, 'no message for this order status');
      }
    },
  });

  // The owner is looked up at delivery, outside this transaction (see shipped).
  const refund = messageConsumer(deps, background, {
    subscription: 'notification.refund-completed',
    topic: 'payments.refund.completed',
    message: ({ data: d }) => ({
      sourceKey: `refund:${d.refundId}`,
      template: 'refund_completed',
      target: { kind: 'orderOwner', orderId: d.orderId },
      data: {
        orderId: d.orderId,
        shortId: links.shortId(d.orderId),
        amount: d.amount,
        fullyRefunded: d.fullyRefunded,
      },
    }),
  });

  const returnMessage = <
    T extends
      | 'orders.return.requested'
      | 'orders.return.approved'
      | 'orders.return.rejected'
      | 'orders.return.completed',
  >(
    topic: T,
    step: string,
    template: 'return_requested' | 'return_approved' | 'return_rejected' | 'return_received',
  ) =>
    defineConsumer<T, NotificationDB>({
      subscription: `notification.return-${step}`,
      topic,
      async handle(tx, event, ctx) {
        const d = event.data as {
          returnId: string;
          orderId: string;
          customerId: string | null;
          reason?: string | null;
          refund?: { amount: string; currency: string };
        };
        if (!d.customerId) return;
        await queueForEvent(
          tx,
          deps,
          { background, afterCommit: ctx.afterCommit },
          {
            sourceKey: `return:${d.returnId}:${step}`,
            template,
            target: { kind: 'customer', customerId: d.customerId },
            data: {
              orderId: d.orderId,
              shortId: links.shortId(d.orderId),
              returnId: d.returnId,
              reason: d.reason ?? null,
              refund: d.refund ?? null,
            },
          },
        );
      },
    });

  return [
    orderStatus,
    refund,
    returnMessage('orders.return.requested', 'requested', 'return_requested'),
    returnMessage('orders.return.approved', 'approved', 'return_approved'),
    returnMessage('orders.return.rejected', 'rejected', 'return_rejected'),
    returnMessage('orders.return.completed', 'received', 'return_received'),
  ];
}
