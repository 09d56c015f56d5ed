import type { ColumnType, Selectable } from 'kysely';
import type { TemplateName } from '../contract/client.js';

/** Kysely types of the notification schema (data/migrations). */
export interface NotificationDB {
  messages: MessagesTable;
}

export type MessageStatus = 'pending' | 'sent' | 'failed' | 'cancelled';

export interface MessagesTable {
  id: string;
  source_key: string;
  template: TemplateName;
  recipient_key: string;
  recipient: string | null;
  principal_type: 'customer' | 'admin' | 'shipper' | null;
  principal_id: string | null;
  customer_id: string | null;
  subject: string | null;
  text_body: string | null;
  html_body: string | null;
  status: MessageStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Date;
  last_error: string | null;
  provider_message_id: string | null;
  created_at: ColumnType<Date, Date, never>;
  sent_at: Date | null;
}

export type MessageRow = Selectable<MessagesTable>;
