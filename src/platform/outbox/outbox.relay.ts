import type { EventBus } from '../bus/bus.types.js';
import type { Clock } from '../clock.js';
import { errorMessage, sleep } from '../eventing/backoff.js';
import type { EventingMetrics } from '../eventing/eventing.metrics.js';
import type { Logger } from '../logging/logger.js';
import { startEventHops, tracingEnabled } from '../observability/tracing.js';
import { outboxSignal } from './outbox.publisher.js';
import type { OutboxStore, RetryPolicy } from './outbox.store.js';

export interface RelaySettings {
  batchSize: number;
  pollMinMs: number;
  pollMaxMs: number;
  leaseMs: number;
  publishTimeoutMs: number;
  retentionMs: number;
  retry: RetryPolicy;
}

export interface RelayDeps {
  service: string;
  store: OutboxStore;
  bus: Pick<EventBus, 'publish'>;
  logger: Logger;
  metrics: EventingMetrics;
  clock: Clock;
  settings: RelaySettings;
}

const PURGE_EVERY_MS = 3_600_000;

/**
 * Moves committed outbox rows of one service schema to the bus (G3). It wakes on the in-process
 * commit signal and otherwise polls with adaptive backoff (pollMin doubling to pollMax, or until
 * the next retry is due) — no constant query loop when idle (U-W3).
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeup = new AbortController();
  private idleMs: number;
  private lastPurge = 0;
  /**
   * When the earliest row waiting for a retry is due, as last read (undefined: none known). Read
   * again only when it may have changed — after an idle poll, a failed publish, or once it is due —
   * so a cycle that published everything it claimed costs two statements, not three.
   */
  private retryDueAt: number | undefined;
  private failedLastCycle = false;
  private readonly onSignal = (early: boolean) => this.wake(early);

  constructor(private readonly deps: RelayDeps) {
    this.idleMs = deps.settings.pollMinMs;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    outboxSignal.listen(this.deps.service, this.onSignal);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    outboxSignal.unlisten(this.deps.service, this.onSignal);
    this.wakeup.abort();
    await this.loop;
  }

  /**
   * A commit signal: go round at once. After it the relay needs no fast polls — the next commit in
   * this process signals again — so it sleeps as long as it may (`pollMaxMs`, or until a retry is
   * due). An `early` signal (sent from inside a transaction, before its row is visible) starts a
   * fast-poll burst instead, doubling from `pollMinMs`, to catch the commit.
   */
  wake(early = false): void {
    this.idleMs = early ? this.deps.settings.pollMinMs : this.deps.settings.pollMaxMs;
    this.wakeup.abort();
  }

  /** One claim → publish → mark cycle; returns how many rows it claimed. Tests call it directly. */
  async runOnce(): Promise<number> {
    const { store, bus, clock, settings, metrics, logger, service } = this.deps;
    const rows = await store.claim(settings.batchSize, settings.leaseMs, clock.now());
    if (rows.length === 0) return 0;
    // One pipelined publish call for the whole batch (not one round trip per event). Traced, each
    // event travels under its own "send" span, a child of the span that appended it.
    const hops = tracingEnabled()
      ? startEventHops(
          rows.map((r) => r.envelope),
          'send',
          { 'orderline.service': service },
        )
      : undefined;
    let outcomes: (Error | undefined)[];
    try {
      outcomes = await withTimeout(
        bus.publish(hops ? hops.events : rows.map((r) => r.envelope)),
        settings.publishTimeoutMs,
        `bus publish timed out after ${settings.publishTimeoutMs} ms`,
      );
    } catch (err) {
      outcomes = rows.map(() => (err instanceof Error ? err : new Error(String(err))));
    }
    hops?.end(outcomes);
    const published = rows.filter((_, i) => !outcomes[i]).map((r) => r.id);
    const failed = rows.map((r, i) => ({ row: r, error: outcomes[i] })).filter((f) => f.error);
    this.failedLastCycle = failed.length > 0;
    // A crash here (after publish, before mark) leaves the rows leased: they are published again
    // when the lease expires and the consumers' inbox drops the duplicate (G3 + G4).
    await store.markPublished(published, clock.now());
    metrics.outboxPublished.inc({ service }, published.length);
    if (failed.length > 0) {
      metrics.outboxPublishFailures.inc({ service }, failed.length);
      const byError = new Map<string, string[]>();
      for (const f of failed) {
        const message = errorMessage(f.error);
        byError.set(message, [...(byError.get(message) ?? []), f.row.id]);
      }
      for (const [message, ids] of byError) {
        const exhausted = await store.markFailed(ids, message, clock.now(), settings.retry);
        logger.warn({ service, count: ids.length, err: message }, 'outbox publish failed; will retry');
        if (exhausted.length > 0) {
          metrics.outboxExhausted.inc({ service }, exhausted.length);
          logger.error(
            { service, ids: exhausted, err: message },
            'outbox rows exhausted their publish attempts and are marked failed (requeue after fixing the broker)',
          );
        }
      }
    }
    return rows.length;
  }

  private async run(): Promise<void> {
    const { settings, logger, service, clock, store } = this.deps;
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.runOnce();
        if (clock.now().getTime() - this.lastPurge > PURGE_EVERY_MS) {
          this.lastPurge = clock.now().getTime();
          const purged = await store.purgePublished(new Date(clock.now().getTime() - settings.retentionMs));
          if (purged > 0) logger.info({ service, purged }, 'purged published outbox rows past retention');
        }
      } catch (err) {
        logger.error({ service, err }, 'outbox relay cycle failed');
      }
      if (!this.running) break;
      if (claimed >= settings.batchSize) continue; // more work waiting: no pause
      // Idle polls back off from pollMin (after a start or an early signal) to pollMax; they are
      // the safety net for rows no signal announced (another process's commit, a missed wake).
      let delay = this.idleMs;
      if (claimed === 0) this.idleMs = Math.min(this.idleMs * 2, settings.pollMaxMs);
      const now = clock.now().getTime();
      if (
        claimed === 0 ||
        this.failedLastCycle ||
        (this.retryDueAt !== undefined && this.retryDueAt <= now)
      ) {
        try {
          this.retryDueAt = (await store.nextDueAt())?.getTime();
        } catch (err) {
          // Unknown: poll at the fast end until a read succeeds, so a retry is never overslept.
          this.retryDueAt = now;
          logger.error({ service, err }, 'outbox relay could not read the next due time');
        }
      }
      if (this.retryDueAt !== undefined)
        delay = Math.max(settings.pollMinMs, Math.min(delay, this.retryDueAt - now));
      if (this.wakeup.signal.aborted) {
        // Woken while working: go round again at once rather than lose the signal.
        this.wakeup = new AbortController();
        continue;
      }
      await sleep(delay, this.wakeup.signal);
      if (this.wakeup.signal.aborted) this.wakeup = new AbortController();
    }
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
