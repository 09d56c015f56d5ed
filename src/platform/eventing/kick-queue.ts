import type { Logger } from '../logging/logger.js';

/**
 * Runs follow-up work OUTSIDE a consumer's inbox transaction, soon after it. A consumer may not call
 * another service inside its transaction (PGlite has one session, so the call would wait for the
 * very transaction that waits for it; with PostgreSQL it would hold a transaction open across a
 * provider call). The durable state is already written by the consumer; a scheduled job picks up
 * whatever a kick misses (process stopped, kick failed), so a kick is only about latency.
 *
 * `work` returns true once it found the state it waits for; until then it is tried again after the
 * next delay. A consumer kicks from `ctx.afterCommit`, so its first try already sees the committed
 * rows; the later tries are for state that arrives from elsewhere (an HTTP path, another service).
 */
export class KickQueue {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly logger: Logger,
    private readonly delaysMs: readonly number[] = [0, 50, 250, 1000, 3000, 8000],
  ) {}

  kick(label: string, work: () => Promise<boolean>, attempt = 0): void {
    if (this.stopped || attempt >= this.delaysMs.length) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = work().then(
        (found) => {
          if (!found) this.kick(label, work, attempt + 1);
        },
        (err: unknown) =>
          // Not lost: the job that owns this work retries it on its next tick.
          this.logger.warn({ err, label }, 'kicked work failed; its job retries it'),
      );
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }, this.delaysMs[attempt]);
    this.timers.add(timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }
}
