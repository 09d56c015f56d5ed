import type { Transaction } from 'kysely';
import type { Ctx } from '../../../platform/context.js';
import { validationFailed } from '../../../platform/errors/app-error.js';
import { newId } from '../../../platform/ids.js';
import type { PrincipalType } from '../../../platform/security/principal.js';
import type { SendRequest, SendResult } from '../contract/client.js';
import type { NotificationDB } from '../data/tables.js';
import { MESSAGE_CATEGORIES, type MessageTemplate } from '../domain/message-types.js';
import { render } from '../domain/templates.js';
import { deliver } from './delivery.js';
import type { NotificationDeps } from './deps.js';

const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

/** Runs delivery without holding the caller; the module awaits these on shutdown. */
export type Background = (work: Promise<unknown>) => void;

/**
 * How a message stored in a transaction gets delivered: `afterCommit` runs the delivery once that
 * transaction committed (a consumer's `ctx.afterCommit`), `background` tracks it until shutdown.
 */
export interface AfterCommitDelivery {
  background: Background;
  afterCommit(work: () => void): void;
}

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
  const rendered = render(request.template, request.data as unknown as Record<string, unknown>);
  const now = deps.clock.now();
  const inserted = await deps.db
    .insertInto('messages')
    .values({
      id: newId(),
      source_key: sourceKey,
      template: request.template,
      category: MESSAGE_CATEGORIES[request.template],
      data: null,
      locale: rendered.locale,
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
    .onConflict((oc) => oc.columns(['source_key', 'recipient_key', 'template', 'channel']).doNothing())
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

/** Who an event-driven message is for. */
export type MessageTarget =
  | { kind: 'customer'; customerId: string }
  | { kind: 'staff'; principalType: Exclude<PrincipalType, 'customer'>; principalId: string }
  | { kind: 'operators' }
  /** The customer of an order, resolved at delivery (the event names only the order). */
  | { kind: 'orderOwner'; orderId: string };

function addressing(t: Exclude<MessageTarget, { kind: 'operators' }>) {
  if (t.kind === 'orderOwner')
    return {
      recipient_key: `order-owner:${t.orderId}`,
      principal_type: null,
      principal_id: null,
      customer_id: null,
    };
  if (t.kind === 'customer')
    return {
      recipient_key: `customer:${t.customerId}`,
      principal_type: 'customer' as const,
      principal_id: t.customerId,
      customer_id: t.customerId,
    };
  return {
    recipient_key: `${t.principalType}:${t.principalId}`,
    principal_type: t.principalType,
    principal_id: t.principalId,
    customer_id: null,
  };
}

/**
 * The consumers' send: one row per (source, recipient, template, channel) written in the inbox
 * transaction (G4: a redelivered or re-published event adds nothing), delivered once that
 * transaction has committed (`delivery.afterCommit`). `sourceKey` names the business fact (e.g. `order:<id>:shipped`), so the
 * same fact announced twice under different event ids still sends one message. Customer and staff
 * addresses are looked up at delivery, because events carry ids only (G10).
 */
export async function queueForEvent(
  tx: Transaction<NotificationDB>,
  deps: NotificationDeps,
  delivery: AfterCommitDelivery,
  m: {
    sourceKey: string;
    template: MessageTemplate;
    target: MessageTarget;
    data?: Record<string, unknown> | undefined;
  },
): Promise<number> {
  const now = deps.clock.now();
  const base = {
    source_key: m.sourceKey,
    template: m.template,
    category: MESSAGE_CATEGORIES[m.template],
    data: m.data ? JSON.stringify(m.data) : null,
    locale: null,
    subject: null,
    text_body: null,
    html_body: null,
    status: 'pending' as const,
    next_attempt_at: now,
    last_error: null,
    provider_message_id: null,
    created_at: now,
    sent_at: null,
  };
  const t = m.target;
  const rows =
    t.kind === 'operators'
      ? deps.operators.map((email) => ({
          ...base,
          id: newId(),
          recipient_key: `operator:${email}`,
          recipient: email,
          principal_type: null,
          principal_id: null,
          customer_id: null,
        }))
      : [
          {
            ...base,
            id: newId(),
            ...addressing(t),
            recipient: null,
          },
        ];
  if (rows.length === 0) {
    // Nothing fails silently: an operator message with nobody configured to read it is an error.
    deps.logger.error(
      { template: m.template, sourceKey: m.sourceKey },
      'operator message dropped: set NOTIFICATION_OPERATOR_EMAILS (or ORDERLINE_ADMIN_EMAIL)',
    );
    return 0;
  }
  const inserted = await tx
    .insertInto('messages')
    .values(rows)
    .onConflict((oc) => oc.columns(['source_key', 'recipient_key', 'template', 'channel']).doNothing())
    .returning('id')
    .execute();
  for (const { id } of inserted)
    delivery.afterCommit(() =>
      delivery.background(
        deliver(deps, id).catch((err: unknown) =>
          deps.logger.error(
            { err, messageId: id },
            'email delivery could not be recorded; the retry job picks it up',
          ),
        ),
      ),
    );
  return inserted.length;
}
