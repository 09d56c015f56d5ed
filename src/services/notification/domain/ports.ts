/** An email ready to hand to a transport. */
export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
}

/** The mail transport port (conventions §5): SMTP in production, a memory sink elsewhere. */
export interface Mailer {
  readonly kind: 'smtp' | 'memory';
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
  close(): Promise<void>;
}
