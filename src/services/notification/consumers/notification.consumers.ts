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
    async handle(tx, event, ctx) {
      await queueForEvent(
        tx,
        deps,
        { background, afterCommit: ctx.afterCommit },
        {
          sourceKey: `event:${event.id}`,
          template: 'welcome',
          target: { kind: 'customer', customerId: event.data.customerId },
        },
      );
    },
  });

  const passwordChanged = defineConsumer<'auth.password_changed', NotificationDB>({
    subscription: 'notification.password-changed',
    topic: 'auth.password_changed',
    async handle(tx, event, ctx) {
      if (!isUuid(event.data.principalId)) return;
      const { principalType, principalId } = event.data;
      await queueForEvent(
        tx,
        deps,
        { background, afterCommit: ctx.afterCommit },
        {
          sourceKey: `event:${event.id}`,
          template: 'password_changed',
          target:
            principalType === 'customer'
              ? { kind: 'customer', customerId: principalId }
              : { kind: 'staff', principalType, principalId },
        },
      );
    },
  });

  /**
   * GDPR erasure (G10): every stored message of the customer goes, sent or not, with whatever it
   * held about them (address, rendered bodies, template data). What stays is how many there were,
   * per template, channel and status (erased_message_counts). Preferences and consents are the
   * customer service's, erased there in the same transaction that announces the deletion.
   */
  const erase = defineConsumer<'customer.deleted', NotificationDB>({
    subscription: 'notification.customer-deleted',
    topic: 'customer.deleted',
    async handle(tx, event, ctx) {
      const removed = await tx
        .deleteFrom('messages')
        .where('customer_id', '=', event.data.customerId)
        .returning(['recipient', 'template', 'channel', 'status'])
        .execute();
      const counts = new Map<string, { template: string; channel: string; status: string; count: number }>();
      for (const r of removed) {
        const key = `${r.template}|${r.channel}|${r.status}`;
        const c = counts.get(key) ?? { template: r.template, channel: r.channel, status: r.status, count: 0 };
        c.count++;
        counts.set(key, c);
      }
      if (counts.size > 0)
        await tx
          .insertInto('erased_message_counts')
          .values([...counts.values()])
          .onConflict((oc) =>
            oc.columns(['template', 'channel', 'status']).doUpdateSet((eb) => ({
              count: eb('erased_message_counts.count', '+', eb.ref('excluded.count')),
            })),
          )
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
