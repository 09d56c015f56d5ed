import { sql, type Updateable } from 'kysely';
import { backoffMs, errorMessage } from '../../../platform/eventing/backoff.js';
import type { MessageRow, MessagesTable } from '../data/tables.js';
import { orderLinks, trackingUrl } from '../domain/links.js';
import { allowed } from '../domain/message-types.js';
import type { Recipient } from '../domain/recipients.js';
import { type Rendered, render } from '../domain/templates.js';
import type { NotificationDeps } from './deps.js';

/** How long a claimed message is held before another worker may try it (a crashed sender). */
const CLAIM_MS = 5 * 60_000;

export type DeliveryResult = 'sent' | 'retry' | 'failed' | 'cancelled' | 'suppressed' | 'skipped';

/**
 * Claims a due pending message by counting the attempt and moving its next attempt past the claim
 * window, in one conditional UPDATE: of two concurrent senders (the immediate send and the retry
 * job), only one gets it.
 */
const claim = (deps: NotificationDeps, id: string, now: Date): Promise<MessageRow | undefined> =>
  deps.db
    .updateTable('messages')
    .set({ attempts: sql`attempts + 1`, next_attempt_at: new Date(now.getTime() + CLAIM_MS) })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .returningAll()
    .executeTakeFirst();

async function recipientOf(deps: NotificationDeps, row: MessageRow): Promise<Recipient | undefined> {
  if (row.recipient_key.startsWith('order-owner:')) {
    if (!deps.orders)
      throw new Error('the order service is not part of this process: cannot find the order owner');
    const orderId = row.recipient_key.slice('order-owner:'.length);
    const owner = await deps.orders.customerOf(orderId);
    if (owner === undefined) throw new Error(`order ${orderId} is unknown to the order service`);
    if (owner === null) return undefined;
    // Erasure finds the message from now on.
    await deps.db.updateTable('messages').set({ customer_id: owner }).where('id', '=', row.id).execute();
    return deps.recipients.customer(owner);
  }
  if (row.principal_id)
    return row.principal_type === 'customer'
      ? deps.recipients.customer(row.principal_id)
      : deps.recipients.staff(row.principal_id);
  if (row.recipient)
    return {
      email: row.recipient,
      firstName: '',
      customerId: row.customer_id,
      language: null,
      choices: undefined,
    };
  return undefined;
}

/** The stored bodies of a direct send, or the template rendered now for the recipient. */
function contentOf(row: MessageRow, to: Recipient): Rendered {
  if (row.subject !== null && row.text_body !== null)
    return {
      subject: row.subject,
      text: row.text_body,
      html: row.html_body ?? '',
      locale: row.locale ?? 'en',
    };
  return render(row.template, { ...(row.data ?? {}), firstName: to.firstName }, to.language);
}

/** Data only known outside the consumer's transaction: the shipments of a shipped order. */
async function enrich(deps: NotificationDeps, row: MessageRow): Promise<MessageRow> {
  if (row.template !== 'order_shipped' || !row.data || row.data.shipments) return row;
  if (!deps.shipments) throw new Error('the shipping service is not part of this process: no tracking data');
  const orderId = String(row.data.orderId);
  const links = orderLinks(deps.storefrontUrl);
  const shipments = (await deps.shipments.forOrder(orderId)).map((s) => ({
    carrier: s.carrier,
    trackingNumber: s.trackingNumber,
    trackingUrl: trackingUrl(deps.trackingUrls, links, orderId, s),
  }));
  const data = { ...row.data, shipments };
  await deps.db
    .updateTable('messages')
    .set({ data: JSON.stringify(data) })
    .where('id', '=', row.id)
    .execute();
  return { ...row, data };
}

const finish = (deps: NotificationDeps, id: string, set: Updateable<MessagesTable>) =>
  deps.db.updateTable('messages').set(set).where('id', '=', id).execute();

/**
 * Delivers one stored message, outside any transaction (no database transaction is held open
 * while talking to SMTP). Event-driven messages get their address, name, language and consent now,
 * from the directory that owns the person. Success: `sent`, bodies dropped (they may hold a
 * one-time link). A marketing message without consent: `suppressed`, never sent. Failure: retried
 * with exponential backoff by the delivery-retry job; after NOTIFICATION_MAX_ATTEMPTS the message is
 * `failed` with its error (the notification dead letters: GET /admin/notifications?status=failed,
 * resend with POST /admin/notifications/{id}/resend).
 */
export async function deliver(deps: NotificationDeps, id: string): Promise<DeliveryResult> {
  const now = deps.clock.now();
  const row = await claim(deps, id, now);
  if (!row) return 'skipped';
  let address: string | null = row.recipient;
  try {
    const to = await recipientOf(deps, row);
    if (!to) {
      await finish(deps, row.id, {
        status: 'cancelled',
        last_error: 'no recipient: the account no longer exists',
      });
      deps.logger.info({ messageId: row.id, template: row.template }, 'email cancelled: no recipient');
      return 'cancelled';
    }
    address = to.email.toLowerCase();
    if (!allowed(row.template, to.choices)) {
      await finish(deps, row.id, {
        status: 'suppressed',
        recipient: address,
        last_error: 'no consent: marketing messages need the marketing consent and preference',
      });
      deps.logger.info({ messageId: row.id, template: row.template }, 'email suppressed: no consent');
      return 'suppressed';
    }
    const content = contentOf(await enrich(deps, row), to);
    const { messageId } = await deps.mailer.send({
      from: deps.from,
      to: to.email,
      subject: content.subject,
      text: content.text,
      html: content.html || undefined,
    });
    await finish(deps, row.id, {
      status: 'sent',
      recipient: address,
      subject: content.subject,
      locale: content.locale,
      sent_at: deps.clock.now(),
      provider_message_id: messageId,
      text_body: null,
      html_body: null,
      last_error: null,
    });
    deps.logger.info({ messageId: row.id, template: row.template }, 'email sent');
    return 'sent';
  } catch (err) {
    const exhausted = row.attempts >= deps.maxAttempts;
    await finish(deps, row.id, {
      status: exhausted ? 'failed' : 'pending',
      recipient: address,
      last_error: errorMessage(err).slice(0, 2000),
      next_attempt_at: new Date(now.getTime() + backoffMs(row.attempts, deps.retry.baseMs, deps.retry.maxMs)),
    });
    if (exhausted) {
      deps.onFailed(row.template);
      deps.logger.error(
        { err, messageId: row.id, template: row.template, attempts: row.attempts },
        'email failed for good',
      );
    } else
      deps.logger.warn(
        { err, messageId: row.id, attempts: row.attempts },
        'email delivery failed; will retry',
      );
    return exhausted ? 'failed' : 'retry';
  }
}
