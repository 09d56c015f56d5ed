import { z } from 'zod';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import type { MemoryMailer } from '../adapters/memory.mailer.js';

const mailboxQuery = z.object({
  to: z.string().trim().min(3).max(320).describe('Recipient email (case-insensitive)'),
});
const mailboxSchema = z.object({
  items: z.array(
    z.object({
      to: z.string(),
      subject: z.string(),
      text: z.string(),
      html: z.string().optional(),
      sentAt: z.string(),
    }),
  ),
});

/**
 * Development only: what the memory mail sink holds for one recipient (how tests and a local
 * developer read verification and reset links). Never registered when NODE_ENV=production.
 */
export function registerDevMailboxRoutes(app: HttpApp, mailer: MemoryMailer): void {
  app.get(
    '/dev/mailbox',
    {
      config: { access: access.public() },
      schema: {
        tags: ['development'],
        summary: 'Messages the development mail sink holds for a recipient (not in production)',
        querystring: mailboxQuery,
        response: { 200: mailboxSchema },
      },
    },
    async (request) => ({
      items: mailer.list(request.query.to).map((m) => ({
        to: m.to,
        subject: m.subject,
        text: m.text,
        ...(m.html ? { html: m.html } : {}),
        sentAt: m.sentAt.toISOString(),
      })),
    }),
  );
}
