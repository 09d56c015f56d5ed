import { z } from 'zod';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import type { MemoryMailer } from '../adapters/memory.mailer.js';

const mailboxQuery = z.object({
  to: z
    .string()
    .trim()
    .min(3)
    .max(320)
    .optional()
    .describe('Recipient email (case-insensitive); every message when absent'),
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
        summary: 'Messages the development mail sink holds, for one recipient or all (not in production)',
        querystring: mailboxQuery,
        response: { 200: mailboxSchema },
      },
    },
    async (request) => ({
      items: (request.query.to === undefined ? mailer.all() : mailer.list(request.query.to)).map((m) => ({
        to: m.to,
        subject: m.subject,
        text: m.text,
        ...(m.html ? { html: m.html } : {}),
        sentAt: m.sentAt.toISOString(),
      })),
    }),
  );
}
