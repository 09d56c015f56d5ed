import { sql, type Transaction } from 'kysely';
import type { Ctx } from '../../../platform/context.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { publish } from '../../../platform/eventing/index.js';
import { newId } from '../../../platform/ids.js';
import type { SendRequest } from '../../notification/contract/client.js';
import type { CustomerDB } from '../data/tables.js';
import type { CustomerDeps } from './deps.js';

/** Link to the storefront page that redeems a token (the token is also in the text). */
export const tokenLink = (
  deps: CustomerDeps,
  page: 'verify-email' | 'reset-password',
  token: string,
): string => `${deps.settings.storefrontUrl.replace(/\/+$/, '')}/${page}?token=${encodeURIComponent(token)}`;

/** The account emails the customer service sends, each for one customer. */
export type AccountMailRequest = Extract<
  SendRequest,
  { template: 'email_verification' | 'password_reset' }
> & {
  customerId: string;
};

/**
 * Account email goes through the outbox like every other message (issue 19, G5). In the
 * transaction of the change that needs it (C8: no email for a change that rolled back) the mail is
 * stored in `account_mails` and `customer.account_mail_requested` (ids only, G10) is published.
 * The caller hands the mail off right after the commit (`handOff`); if that fails, the event's
 * consumer (consumers/account-mail.consumer.ts) keeps trying through the platform's redelivery
 * and, when the deliveries are spent, the event is dead-lettered with the last hand-off error —
 * visible in /admin/dlq and replayable, never only a log line.
 */
export async function queueAccountMail(
  tx: Transaction<CustomerDB>,
  deps: CustomerDeps,
  request: AccountMailRequest,
): Promise<string> {
  const id = newId();
  const now = deps.clock.now();
  await tx
    .insertInto('account_mails')
    .values({
      id,
      customer_id: request.customerId,
      request: JSON.stringify(request),
      last_error: null,
      created_at: now,
    })
    .execute();
  await publish(tx, 'customer.account_mail_requested', request.customerId, {
    mailId: id,
    customerId: request.customerId,
    template: request.template,
    occurredAt: now.toISOString(),
  });
  return id;
}

/**
 * Hands a queued mail to notification (its `send` is idempotent by the request's key, so a second
 * hand-off after a lost answer sends nothing twice). Handed off → the row goes, and the one-time
 * token with it. Failed → the attempt and its error are recorded for the consumer's retries.
 * Returns whether the mail is handed off (or no longer queued). Never inside a transaction: the
 * notification service writes to its own schema.
 */
export async function handOff(ctx: Ctx, deps: CustomerDeps, mailId: string): Promise<boolean> {
  const row = await deps.db
    .selectFrom('account_mails')
    .select(['id', 'request'])
    .where('id', '=', mailId)
    .executeTakeFirst();
  if (!row) return true;
  try {
    await deps.mail.send(ctx, row.request);
  } catch (err) {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    await deps.db
      .updateTable('account_mails')
      .set({ attempts: sql`attempts + 1`, last_error: error.slice(0, 2000) })
      .where('id', '=', mailId)
      .execute();
    ctx.logger.warn(
      { err, mailId, template: row.request.template, customerId: row.request.customerId },
      'account email could not be handed to the notification service; its event retries it',
    );
    return false;
  }
  await deps.db.deleteFrom('account_mails').where('id', '=', mailId).execute();
  return true;
}

/** The consumer's failure while a mail is still queued: what the DLQ entry shows. */
export const stillQueued = (mailId: string, attempts: number, lastError: string | null): AppError =>
  new AppError(
    'unavailable',
    'account_mail_not_handed_off',
    `Account email ${mailId} is not handed to notification yet (${attempts} failed hand-offs)${
      lastError ? `; last error: ${lastError}` : ''
    }`,
  );
