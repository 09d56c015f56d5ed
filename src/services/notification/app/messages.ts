import type { Transaction } from 'kysely';
import type { Ctx } from '../../../platform/context.js';
import { validationFailed } from '../../../platform/errors/app-error.js';
import { newId } from '../../../platform/ids.js';
import type { PrincipalType } from '../../../platform/security/principal.js';
import type { SendRequest, SendResult, TemplateName } from '../contract/client.js';
import type { NotificationDB } from '../data/tables.js';
import { render } from '../domain/templates.js';
import { deliver, deliverAfterCommit } from './delivery.js';
import type { NotificationDeps } from './deps.js';

const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

/** Runs delivery without holding the caller; the module awaits these on shutdown. */
export type Background = (work: Promise<unknown>) => void;

function checkRequest(request: SendRequest): string {
  const to = request.to.trim().toLowerCase();
  if (!EMAIL_RE.test(to) || to.length > 254)
    throw validationFailed('The recipient is not a valid email address', [
      { path: 'to', message: 'invalid email' },
    ]);
  if (request.idempotencyKey.length === 0 || request.idempotencyKey.length > 190)
    throw validationFailed('idempotencyKey must be 1-190 characters', [
      { path: 'idempotencyKey', message: 'invalid' },
    ]);
  return to;
}

/**
 * The client's send (direct calls from the customer service, for messages carrying one-time
 * links): stored rendered, keyed by the caller's idempotency key, then delivered in the
 * background. The same key, recipient and template again sends nothing new.
 */
export async function sendDirect(
  ctx: Ctx,
  deps: NotificationDeps,
  request: SendRequest,
  background: Background,
): Promise<SendResult> {
  const to = checkRequest(request);
  const sourceKey = `key:${request.idempotencyKey}`;
  const rendered = render(request.template, request.data as never);
  const now = deps.clock.now();
  const inserted = await deps.db
    .insertInto('messages')
    .values({
      id: newId(),
      source_key: sourceKey,
      template: request.template,
      recipient_key: to,
      recipient: to,
      principal_type: null,
      principal_id: null,
      customer_id: request.customerId ?? null,
      subject: rendered.subject,
      text_body: rendered.text,
      html_body: rendered.html,
      status: 'pending',
      next_attempt_at: now,
      last_error: null,
      provider_message_id: null,
      created_at: now,
      sent_at: null,
    })
    .onConflict((oc) => oc.columns(['source_key', 'recipient_key', 'template']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) {
    const existing = await deps.db
      .selectFrom('messages')
      .select('id')
      .where('source_key', '=', sourceKey)
      .where('recipient_key', '=', to)
      .where('template', '=', request.template)
      .executeTakeFirstOrThrow();
    return { messageId: existing.id, duplicate: true };
  }
  const id = inserted.id;
  background(
    deliver(deps, id).catch((err: unknown) =>
      ctx.logger.error(
        { err, messageId: id },
        'email delivery could not be recorded; the retry job picks it up',
      ),
    ),
  );
  return { messageId: id, duplicate: false };
}

/**
 * The consumers' send: one row per (event, principal, template) written in the inbox transaction
 * (G4: a redelivered event adds nothing), delivered once that transaction has committed. The
 * address is looked up at delivery, because events carry ids only (G10).
 */
export async function queueForEvent(
  tx: Transaction<NotificationDB>,
  deps: NotificationDeps,
  background: Background,
  m: {
    eventId: string;
    template: Extract<TemplateName, 'welcome' | 'password_changed'>;
    principalType: PrincipalType;
    principalId: string;
  },
): Promise<void> {
  const now = deps.clock.now();
  const row = await tx
    .insertInto('messages')
    .values({
      id: newId(),
      source_key: `event:${m.eventId}`,
      template: m.template,
      recipient_key: `${m.principalType}:${m.principalId}`,
      recipient: null,
      principal_type: m.principalType,
      principal_id: m.principalId,
      customer_id: m.principalType === 'customer' ? m.principalId : null,
      subject: null,
      text_body: null,
      html_body: null,
      status: 'pending',
      next_attempt_at: now,
      last_error: null,
      provider_message_id: null,
      created_at: now,
      sent_at: null,
    })
    .onConflict((oc) => oc.columns(['source_key', 'recipient_key', 'template']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) return;
  background(
    deliverAfterCommit(deps, row.id).catch((err: unknown) =>
      deps.logger.error(
        { err, messageId: row.id },
        'email delivery could not be recorded; the retry job picks it up',
      ),
    ),
  );
}
