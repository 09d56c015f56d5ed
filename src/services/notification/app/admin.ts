import { sql } from 'kysely';
import type { Ctx } from '../../../platform/context.js';
import { AppError, notFound } from '../../../platform/errors/app-error.js';
import type { MessageRow, MessageStatus } from '../data/tables.js';
import { deliver } from './delivery.js';
import type { NotificationDeps } from './deps.js';
import type { Background } from './messages.js';

/** A message as operators see it (no bodies: they may hold one-time links). */
export interface MessageView {
  id: string;
  template: string;
  category: string;
  channel: string;
  to: string | null;
  customerId: string | null;
  status: MessageStatus;
  attempts: number;
  lastError: string | null;
  subject: string | null;
  locale: string | null;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string | null;
}

const view = (r: MessageRow): MessageView => ({
  id: r.id,
  template: r.template,
  category: r.category,
  channel: r.channel,
  to: r.recipient,
  customerId: r.customer_id,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  subject: r.subject,
  locale: r.locale,
  createdAt: r.created_at.toISOString(),
  sentAt: r.sent_at?.toISOString() ?? null,
  nextAttemptAt: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
});

/** Newest first, keyset by id (UUIDv7). */
export async function listMessages(
  deps: NotificationDeps,
  q: {
    status?: MessageStatus | undefined;
    to?: string | undefined;
    template?: string | undefined;
    limit: number;
    beforeId?: string | undefined;
  },
): Promise<{ items: MessageView[]; lastId: string | null }> {
  let query = deps.db
    .selectFrom('messages')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.to) query = query.where('recipient', '=', q.to.trim().toLowerCase());
  if (q.template) query = query.where('template', '=', q.template as MessageRow['template']);
  if (q.beforeId) query = query.where('id', '<', q.beforeId);
  const rows = await query.execute();
  const page = rows.slice(0, q.limit);
  return { items: page.map(view), lastId: rows.length > q.limit ? page.at(-1)!.id : null };
}

/**
 * Resends a failed message (a notification dead letter): it becomes pending with fresh attempts
 * and is delivered at once in the background. Only `failed` messages: 409 otherwise.
 */
export async function resendMessage(
  ctx: Ctx,
  deps: NotificationDeps,
  id: string,
  background: Background,
): Promise<MessageView> {
  const now = deps.clock.now();
  const row = await deps.db
    .updateTable('messages')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .returningAll()
    .executeTakeFirst();
  if (!row) {
    const existing = await deps.db
      .selectFrom('messages')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!existing) throw notFound('Notification', id);
    throw new AppError(
      'conflict',
      'notification_not_failed',
      `Notification ${id} is ${existing.status}; only failed messages are resent`,
    );
  }
  ctx.logger.info({ messageId: id, template: row.template }, 'failed email resent by an operator');
  background(
    deliver(deps, id).catch((err: unknown) =>
      ctx.logger.error(
        { err, messageId: id },
        'email delivery could not be recorded; the retry job picks it up',
      ),
    ),
  );
  return view(row);
}

/** Messages per template, channel and status, including those erased with their customer. */
export async function messageStats(deps: NotificationDeps) {
  const live = await deps.db
    .selectFrom('messages')
    .select(['template', 'channel', 'status', sql<string>`count(*)`.as('count')])
    .groupBy(['template', 'channel', 'status'])
    .execute();
  const erased = await deps.db.selectFrom('erased_message_counts').selectAll().execute();
  const totals = new Map<
    string,
    { template: string; channel: string; status: string; count: number; erased: number }
  >();
  const at = (t: string, c: string, s: string) => {
    const key = `${t}|${c}|${s}`;
    const v = totals.get(key) ?? { template: t, channel: c, status: s, count: 0, erased: 0 };
    totals.set(key, v);
    return v;
  };
  for (const r of live) at(r.template, r.channel, r.status).count += Number(r.count);
  for (const r of erased) {
    const v = at(r.template, r.channel, r.status);
    v.count += Number(r.count);
    v.erased += Number(r.count);
  }
  return {
    items: [...totals.values()].sort((a, b) =>
      a.template === b.template ? a.status.localeCompare(b.status) : a.template.localeCompare(b.template),
    ),
  };
}
