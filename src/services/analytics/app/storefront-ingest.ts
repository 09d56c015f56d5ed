import type { Transaction } from 'kysely';
import { LRUCache } from 'lru-cache';
import { AppError, validationFailed } from '../../../platform/errors/app-error.js';
import type { PlatformTables } from '../../../platform/eventing/platform.tables.js';
import { recordProcessed } from '../../../platform/inbox/inbox.js';
import type { AnalyticsDB } from '../data/tables.js';
import { deterministicEventId } from '../domain/event-id.js';
import { BoundedQueue } from '../domain/ingest-queue.js';
import type { StorefrontEvent } from '../domain/storefront-event.js';
import type { AnalyticsDeps } from './deps.js';
import type { EventRow } from './event-rows.js';
import { insertEvents } from './event-store.js';

/** The inbox subscription storefront events are deduplicated under (G4). */
export const STOREFRONT_SUBSCRIPTION = 'analytics.storefront';
/** How far in the future a client clock may be before an event is refused. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export interface StorefrontIngestSettings {
  queueMax: number;
  batchMax: number;
  flushMs: number;
  dedupMax: number;
  dedupTtlMs: number;
}

export interface RequestMeta {
  ip: string | undefined;
  userAgent: string | undefined;
  traceparent: string | undefined;
}

export interface StorefrontIngest {
  /** Validates, masks, deduplicates and queues a batch: 429 `ingest_queue_full` when it does not fit. */
  accept(events: readonly StorefrontEvent[], meta: RequestMeta): { accepted: number; duplicates: number };
  /** Writes everything queued now (tests, shutdown). */
  drain(): Promise<void>;
  readonly depth: number;
  stop(): Promise<void>;
}

/**
 * `POST /analytics/events` → a bounded in-memory queue (SG-15) → batched writes (SG-5): every
 * `flushMs`, or at once when `batchMax` rows wait, one transaction records the ids in the inbox
 * (one statement) and inserts the new rows (one multi-row INSERT), behind the storage breaker
 * (SG-14). A bounded LRU of committed ids in front answers most resends without a query (Fix 12);
 * the inbox stays the authority. 202 means "accepted for processing": a crash loses what was still
 * queued, which the storefront's at-most-once telemetry accepts (docs/analytics.md).
 */
export function createStorefrontIngest(
  deps: AnalyticsDeps,
  settings: StorefrontIngestSettings,
): StorefrontIngest {
  const queue = new BoundedQueue<EventRow>(settings.queueMax);
  const queued = new Set<string>();
  const committed = new LRUCache<string, true>({ max: settings.dedupMax, ttl: settings.dedupTtlMs });
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let stopped = false;
  let failures = 0;

  const schedule = (delayMs: number) => {
    if (timer || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, delayMs);
    timer.unref?.();
  };

  const writeBatch = async (rows: EventRow[]): Promise<void> => {
    await deps.storage.run(() =>
      deps.db.transaction().execute(async (tx) => {
        const fresh = await recordProcessed(
          tx as unknown as Transaction<PlatformTables>,
          STOREFRONT_SUBSCRIPTION,
          rows.map((r) => r.id),
        );
        await insertEvents(
          tx as Transaction<AnalyticsDB>,
          rows.filter((r) => fresh.delete(r.id)),
        );
      }),
    );
  };

  const flushOnce = async (): Promise<void> => {
    while (queue.size > 0) {
      const rows = queue.take(settings.batchMax);
      try {
        await writeBatch(rows);
      } catch (err) {
        queue.restore(rows);
        failures++;
        deps.logger.warn({ err, rows: rows.length, failures }, 'analytics storefront batch write failed');
        throw err;
      }
      failures = 0;
      for (const r of rows) {
        queued.delete(r.id);
        committed.set(r.id, true);
      }
    }
  };

  const flush = (): Promise<void> => {
    flushing ??= flushOnce()
      .catch(() => {
        // Logged above; the rows are back in the queue and retried with a growing pause.
        schedule(Math.min(settings.flushMs * 2 ** failures, 30_000));
      })
      .finally(() => {
        flushing = undefined;
      });
    return flushing;
  };

  const toRow = (e: StorefrontEvent, meta: RequestMeta, receivedAt: Date): EventRow => {
    const { pii } = deps;
    const content = { ...e, visitor: undefined };
    const id = e.id?.toLowerCase() ?? deterministicEventId(content);
    const data: Record<string, unknown> = {
      url: pii.url(e.url),
      referrer: pii.url(e.referrer),
      ...(e.orderId ? { orderId: e.orderId.toLowerCase() } : {}),
      ...(e.visitor
        ? {
            visitor: {
              email: pii.email(e.visitor.email),
              firstName: pii.name(e.visitor.firstName),
              lastName: pii.name(e.visitor.lastName),
            },
          }
        : {}),
    };
    return {
      id,
      topic: `storefront.${e.type}`,
      source: 'storefront',
      subject: pii.customerKey(e.sessionId),
      occurred_at: new Date(e.occurredAt),
      received_at: receivedAt,
      trace_id: meta.traceparent?.match(/^[0-9a-f]{2}-([0-9a-f]{32})-/)?.[1] ?? null,
      schema_version: '1',
      // The session id is the client's own random token; stored hashed like any identifier.
      session_id: pii.customerKey(e.sessionId),
      customer_key: null,
      order_id: e.orderId?.toLowerCase() ?? null,
      product_id: e.productId?.toLowerCase() ?? null,
      ip_masked: pii.ip(meta.ip),
      user_agent_hash: pii.userAgent(meta.userAgent),
      data: JSON.stringify(data),
    };
  };

  return {
    accept(events, meta) {
      if (stopped)
        throw new AppError('unavailable', 'analytics_stopping', 'Analytics ingestion is shutting down');
      const now = deps.clock.now();
      const future = events.findIndex((e) => Date.parse(e.occurredAt) > now.getTime() + MAX_CLOCK_SKEW_MS);
      if (future >= 0)
        throw validationFailed('occurredAt lies in the future', [
          { path: `events.${future}.occurredAt`, message: 'must not be in the future' },
        ]);
      const rows: EventRow[] = [];
      const inBatch = new Set<string>();
      let duplicates = 0;
      for (const e of events) {
        const row = toRow(e, meta, now);
        if (inBatch.has(row.id) || queued.has(row.id) || committed.has(row.id)) {
          duplicates++;
          continue;
        }
        inBatch.add(row.id);
        rows.push(row);
      }
      if (!queue.offer(rows))
        throw new AppError(
          'rate_limited',
          'ingest_queue_full',
          'The analytics ingest queue is full; retry later',
          {
            extra: { retryAfter: Math.max(1, Math.ceil(settings.flushMs / 1000)) },
          },
        );
      for (const r of rows) queued.add(r.id);
      if (queue.size >= settings.batchMax) void flush();
      else schedule(settings.flushMs);
      return { accepted: rows.length, duplicates };
    },
    async drain() {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      await flushing;
      await flushOnce();
    },
    get depth() {
      return queue.size;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await flushing;
      if (queue.size > 0) await flushOnce();
    },
  };
}
