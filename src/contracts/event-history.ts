import type { EventEnvelope } from './envelope.js';

/**
 * A window of the events a service has published, read back from its own outbox (oldest first).
 * `after` is the `nextCursor` of the previous page; the window is the outbox row's creation time
 * (the publishing transaction's clock), `from` inclusive, `to` exclusive.
 */
export interface EventHistoryQuery {
  from: Date;
  to: Date;
  topics: readonly string[];
  after?: string | null;
  limit: number;
}

export interface EventHistoryPage {
  events: EventEnvelope[];
  /** Where the next page starts; null when the window is exhausted. */
  nextCursor: string | null;
}

/**
 * What every publishing service's client offers so a consumer can re-read what it missed (the
 * analytics backfill): published events only, as far back as the outbox retention
 * (OUTBOX_RETENTION_HOURS) keeps them. Implemented once by the platform (outbox.history.ts).
 */
export interface EventHistory {
  publishedEvents(query: EventHistoryQuery): Promise<EventHistoryPage>;
}
