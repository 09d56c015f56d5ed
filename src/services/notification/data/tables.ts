import type { ColumnType, Selectable } from 'kysely';
import type { Channel, MessageCategory, MessageTemplate } from '../domain/message-types.js';

/** Kysely types of the notification schema (data/migrations). */
export interface NotificationDB {
  messages: MessagesTable;
  erased_message_counts: ErasedMessageCountsTable;
  ops_watermarks: OpsWatermarksTable;
}

export type MessageStatus = 'pending' | 'sent' | 'failed' | 'cancelled' | 'suppressed';
export const MESSAGE_STATUSES = ['pending', 'sent', 'failed', 'cancelled', 'suppressed'] as const;

type Json<T> = ColumnType<T, string | null, string | null>;

export interface MessagesTable {
  id: string;
  source_key: string;
  template: MessageTemplate;
  channel: ColumnType<Channel, Channel | undefined, Channel>;
  category: ColumnType<MessageCategory, MessageCategory | undefined, MessageCategory>;
  recipient_key: string;
  recipient: string | null;
  principal_type: 'customer' | 'admin' | 'shipper' | null;
  principal_id: string | null;
  customer_id: string | null;
  data: Json<Record<string, unknown> | null>;
  locale: string | null;
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

export interface ErasedMessageCountsTable {
  template: string;
  channel: string;
  status: string;
  count: ColumnType<string, string | number | bigint, string | number | bigint>;
}

export interface OpsWatermarksTable {
  key: string;
  value: ColumnType<string, string | number | bigint, string | number | bigint>;
  updated_at: Date;
}

export type MessageRow = Selectable<MessagesTable>;
