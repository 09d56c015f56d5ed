import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { NotificationDB } from '../data/tables.js';
import type { Mailer } from '../domain/ports.js';
import type { RecipientLookup } from '../domain/recipients.js';

export interface NotificationDeps {
  db: Kysely<NotificationDB>;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
  recipients: RecipientLookup;
  from: string;
  maxAttempts: number;
  retry: { baseMs: number; maxMs: number };
  batchSize: number;
}
