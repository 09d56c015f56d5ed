import { newId } from '../../../platform/ids.js';
import type { Mailer, OutgoingEmail } from '../domain/ports.js';

export interface SinkedEmail extends OutgoingEmail {
  messageId: string;
  sentAt: Date;
}

/** Holds at most this many messages; the oldest go first (a development sink, not an archive). */
const CAPACITY = 5000;

/**
 * The development/test mail sink: keeps sent messages in memory for `GET /dev/mailbox`. Never used
 * in production (config requires SMTP_URL there).
 */
export class MemoryMailer implements Mailer {
  readonly kind = 'memory' as const;
  private readonly messages: SinkedEmail[] = [];

  constructor(private readonly now: () => Date) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const messageId = `<${newId()}@memory.orderline>`;
    this.messages.push({ ...email, to: email.to.toLowerCase(), messageId, sentAt: this.now() });
    if (this.messages.length > CAPACITY) this.messages.splice(0, this.messages.length - CAPACITY);
    return { messageId };
  }

  /** Messages to `to`, oldest first. */
  list(to: string): SinkedEmail[] {
    const address = to.trim().toLowerCase();
    return this.messages.filter((m) => m.to === address);
  }

  /** Every message held, oldest first. */
  all(): SinkedEmail[] {
    return [...this.messages];
  }

  /** Erasure: drops every message to these addresses. */
  forget(addresses: readonly string[]): void {
    const gone = new Set(addresses.map((a) => a.toLowerCase()));
    for (let i = this.messages.length - 1; i >= 0; i--)
      if (gone.has(this.messages[i]!.to)) this.messages.splice(i, 1);
  }

  async close(): Promise<void> {}
}
