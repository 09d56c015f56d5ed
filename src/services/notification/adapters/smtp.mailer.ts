import nodemailer from 'nodemailer';
import type { Mailer, OutgoingEmail } from '../domain/ports.js';

/** Bounds on one SMTP exchange, so a hanging server fails the attempt instead of holding it. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;

/** SMTP through nodemailer (production). `url`: smtp://user:pass@host:587 or smtps://…:465. */
export function createSmtpMailer(url: string): Mailer {
  const transport = nodemailer.createTransport({ url, ...TIMEOUTS });
  return {
    kind: 'smtp',
    async send(email: OutgoingEmail) {
      const info = await transport.sendMail({
        from: email.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        ...(email.html ? { html: email.html } : {}),
      });
      return { messageId: info.messageId };
    },
    async close() {
      transport.close();
    },
  };
}
