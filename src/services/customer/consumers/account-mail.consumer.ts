import { systemCtx } from '../../../platform/context.js';
import { defineConsumer } from '../../../platform/eventing/index.js';
import type { KickQueue } from '../../../platform/eventing/kick-queue.js';
import { handOff, stillQueued } from '../app/account-mail.js';
import type { CustomerDeps } from '../app/deps.js';
import type { CustomerDB } from '../data/tables.js';

/**
 * `customer.account_mail_requested` (the customer service's own event): done once the mail has been
 * handed to notification (its row is gone). While it is still queued the consumer starts a hand-off
 * outside its transaction (the call cannot run inside it: PGlite has one session, see KickQueue)
 * and fails the delivery with the last hand-off error, so the platform redelivers with backoff
 * and, after CONSUMER_MAX_DELIVERIES, dead-letters the event with that error (G5). A replay from
 * the DLQ starts the same again; a redelivery after the hand-off finds no row and changes nothing.
 */
export const accountMailConsumer = (deps: CustomerDeps, kicks: KickQueue) =>
  defineConsumer<'customer.account_mail_requested', CustomerDB>({
    subscription: 'customer.account-mail',
    topic: 'customer.account_mail_requested',
    async handle(tx, event, ctx) {
      const { mailId } = event.data;
      const row = await tx
        .selectFrom('account_mails')
        .select(['attempts', 'last_error'])
        .where('id', '=', mailId)
        .executeTakeFirst();
      if (!row) return; // handed off, or erased with the account
      kicks.kick(`account-mail:${mailId}`, () =>
        handOff(systemCtx(ctx.logger, 'customer.account-mail'), deps, mailId),
      );
      throw stillQueued(mailId, row.attempts, row.last_error);
    },
  });
