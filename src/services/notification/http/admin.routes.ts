import { z } from 'zod';
import { requestCtx } from '../../../platform/context.js';
import { cursorQuery, encodeCursor, pageLimitQuery } from '../../../platform/http/pagination.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import { listMessages, messageStats, resendMessage } from '../app/admin.js';
import type { NotificationDeps } from '../app/deps.js';
import type { Background } from '../app/messages.js';
import { MESSAGE_STATUSES } from '../data/tables.js';
import { MESSAGE_TEMPLATES } from '../domain/message-types.js';

const tags = ['notifications (admin)'];
const security = [{ bearer: [] }];
const READ = 'notifications:read';
const WRITE = 'notifications:write';

const messageSchema = z.object({
  id: z.string(),
  template: z.string(),
  category: z.string(),
  channel: z.string(),
  to: z.string().nullable().describe('Recipient address; null until first looked up'),
  customerId: z.string().nullable(),
  status: z.enum(MESSAGE_STATUSES),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  subject: z.string().nullable(),
  locale: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
});
const listQuery = z.object({
  status: z.enum(MESSAGE_STATUSES).optional(),
  to: z.string().trim().min(3).max(320).optional().describe('Recipient email (case-insensitive)'),
  template: z.enum(MESSAGE_TEMPLATES).optional(),
  limit: pageLimitQuery,
  cursor: cursorQuery(),
});
const idParams = z.object({ id: z.uuid() });

/** Operators: every message with its status and attempts, resend of failed ones, counts. */
export function registerNotificationAdminRoutes(
  app: HttpApp,
  deps: NotificationDeps,
  background: Background,
): void {
  app.get(
    '/admin/notifications',
    {
      config: { access: access.admin(READ) },
      schema: {
        tags,
        security,
        summary: 'Messages, newest first (sent, pending, failed with their error and attempts)',
        querystring: listQuery,
        response: { 200: z.object({ items: z.array(messageSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const { status, to, template, limit, cursor } = request.query;
      const page = await listMessages(deps, { status, to, template, limit, beforeId: cursor });
      return { items: page.items, nextCursor: page.lastId ? encodeCursor(page.lastId) : null };
    },
  );

  app.get(
    '/admin/notifications/stats',
    {
      config: { access: access.admin(READ) },
      schema: {
        tags,
        security,
        summary: 'Message counts per template, channel and status (erased messages still counted)',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                template: z.string(),
                channel: z.string(),
                status: z.string(),
                count: z.number().int(),
                erased: z.number().int(),
              }),
            ),
          }),
        },
      },
    },
    async () => messageStats(deps),
  );

  app.post(
    '/admin/notifications/:id/resend',
    {
      config: { access: access.admin(WRITE) },
      schema: {
        tags,
        security,
        summary: 'Resend a failed message (fresh attempts, delivered at once)',
        description: 'Only failed messages: anything else is 409 notification_not_failed.',
        params: idParams,
        response: { 202: messageSchema },
      },
    },
    async (request, reply) => {
      const message = await resendMessage(requestCtx(request), deps, request.params.id, background);
      return reply.code(202).send(message);
    },
  );
}
