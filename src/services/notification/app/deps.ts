import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { NotificationDB } from '../data/tables.js';
import type { Mailer } from '../domain/ports.js';
import type { OrderLookup, RecipientLookup, ShipmentLookup } from '../domain/recipients.js';

export interface NotificationDeps {
  db: Kysely<NotificationDB>;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
  recipients: RecipientLookup;
  /** Order owner lookup; undefined when the order service is not in this process. */
  orders: OrderLookup | undefined;
  /** Shipments of an order; undefined when the shipping service is not in this process. */
  shipments: ShipmentLookup | undefined;
  from: string;
  maxAttempts: number;
  retry: { baseMs: number; maxMs: number };
  batchSize: number;
  /** Operator recipients (NOTIFICATION_OPERATOR_EMAILS, else ORDERLINE_ADMIN_EMAIL). */
  operators: readonly string[];
  /** Storefront base URL for links (orders, reviews, tracking fallback). */
  storefrontUrl: string;
  /** carrier → tracking URL with `{tracking}` (NOTIFICATION_TRACKING_URLS). */
  trackingUrls: ReadonlyMap<string, string>;
  onFailed(template: string): void;
}
