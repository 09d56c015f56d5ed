import type { NotificationDeps } from '../app/deps.js';
import type { Background } from '../app/messages.js';
import { orderLinks } from '../domain/links.js';
import { messageConsumer } from './message-consumer.js';

/** How the message names why the balance moved (the event's `kind`). */
const REASONS = {
  earned: 'earned on a delivered order',
  reversed: 'an order was cancelled, refunded or returned',
  redeemed: 'redeemed at checkout',
  released: 'a redemption was given back',
  expired: 'points expired',
  adjusted: 'adjusted by our team',
} as const;

/**
 * The customer hears about every change of their points balance (loyalty.points.changed). A
 * marketing-class message (docs/notifications.md): stored like any other, sent only with the
 * customer's marketing consent and email preference, decided at delivery. The source key is the
 * ledger transaction, so a redelivered or re-published event sends one message (G4).
 */
export function loyaltyConsumers(deps: NotificationDeps, background: Background) {
  const links = orderLinks(deps.storefrontUrl);
  return [
    messageConsumer(deps, background, {
      subscription: 'notification.points-changed',
      topic: 'loyalty.points.changed',
      // Loyalty announces no zero change; a zero here would tell the customer nothing.
      accepts: ({ data }) => data.points !== 0,
      message: ({ data: d }) => ({
        sourceKey: `points:${d.transactionId}`,
        template: 'points_changed',
        target: { kind: 'customer', customerId: d.customerId },
        data: {
          kind: d.kind,
          reason: REASONS[d.kind],
          gained: d.points > 0,
          change: Math.abs(d.points),
          balance: d.balance,
          orderId: d.orderId,
          shortId: d.orderId ? links.shortId(d.orderId) : null,
        },
      }),
    }),
  ];
}
