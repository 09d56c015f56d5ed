import { defineConsumer } from '../../../platform/eventing/index.js';
import { isUuid } from '../../../platform/ids.js';
import type { NotificationDeps } from '../app/deps.js';
import { type Background, queueForEvent } from '../app/messages.js';
import type { NotificationDB } from '../data/tables.js';

/**
 * Event-driven email. The handler only records the message in the inbox transaction (so a
 * redelivered event sends nothing twice, G4, and a failing write is retried and dead-lettered by
 * the platform, G5); delivery happens after the commit, outside the transaction.
 */
export function notificationConsumers(
  deps: NotificationDeps,
  background: Background,
  onErase: (addresses: string[]) => void,
) {
  const welcome = defineConsumer<'customer.created', NotificationDB>({
    subscription: 'notification.welcome',
    topic: 'customer.created',
    async handle(tx, event) {
      await queueForEvent(tx, deps, background, {
        eventId: event.id,
        template: 'welcome',
        principalType: 'customer',
        principalId: event.data.customerId,
      });
    },
  });

  const passwordChanged = defineConsumer<'auth.password_changed', NotificationDB>({
    subscription: 'notification.password-changed',
    topic: 'auth.password_changed',
    async handle(tx, event) {
      if (!isUuid(event.data.principalId)) return;
      await queueForEvent(tx, deps, background, {
        eventId: event.id,
        template: 'password_changed',
        principalType: event.data.principalType,
        principalId: event.data.principalId,
      });
    },
  });

  /** GDPR erasure (G10): every stored message of the customer goes, sent or not. */
  const erase = defineConsumer<'customer.deleted', NotificationDB>({
    subscription: 'notification.customer-deleted',
    topic: 'customer.deleted',
    async handle(tx, event, ctx) {
      const removed = await tx
        .deleteFrom('messages')
        .where('customer_id', '=', event.data.customerId)
        .returning('recipient')
        .execute();
      onErase([...new Set(removed.flatMap((r) => (r.recipient ? [r.recipient] : [])))]);
      ctx.logger.info(
        { customerId: event.data.customerId, messages: removed.length },
        'customer messages erased',
      );
    },
  });

  return [welcome, passwordChanged, erase];
}
