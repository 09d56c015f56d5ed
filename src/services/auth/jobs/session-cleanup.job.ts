import type { Clock } from '../../../platform/clock.js';
import type { JobDeclaration } from '../../../platform/eventing/index.js';
import type { AuthMetrics } from '../app/auth.metrics.js';
import type { SessionRepository } from '../data/session.repository.js';
import type { SessionAgePolicy } from '../domain/session-policy.js';

export interface SessionCleanupDeps {
  sessions: SessionRepository;
  clock: Clock;
  metrics: AuthMetrics;
  age: SessionAgePolicy;
  cron: string;
  startupDelayMs: number;
  batchSize: number;
}

/**
 * Hourly session cleanup. Deletes sessions unused for longer than the idle limit or created longer
 * ago than the absolute limit (refresh already refuses both, so these rows are dead), with their
 * refresh tokens, in bounded batches from the oldest. The first run waits AUTH_SESSION_CLEANUP_
 * STARTUP_DELAY_SECONDS so a cold start with a large table does not spike the database (A8).
 */
export function sessionCleanupJob(deps: SessionCleanupDeps): JobDeclaration {
  const { sessions, clock, metrics, age, batchSize } = deps;
  return {
    name: 'session-cleanup',
    cron: deps.cron,
    startupDelayMs: deps.startupDelayMs,
    // Three missed hourly runs mean sessions pile up: readiness reports it.
    maxStalenessSeconds: 3 * 3600 + deps.startupDelayMs / 1000,
    async handler(ctx) {
      const now = clock.now();
      const passes = [
        { reason: 'idle', by: 'last_used_at', before: new Date(now.getTime() - age.idleSeconds * 1000) },
        { reason: 'absolute', by: 'created_at', before: new Date(now.getTime() - age.maxAgeSeconds * 1000) },
      ] as const;
      let total = 0;
      for (const pass of passes) {
        let removed = 0;
        for (;;) {
          const n = await sessions.deleteBatch(pass.by, pass.before, batchSize);
          removed += n;
          if (n < batchSize || ctx.signal.aborted) break;
        }
        if (removed > 0) metrics.sessionsCleaned.inc({ reason: pass.reason }, removed);
        total += removed;
      }
      if (total > 0) ctx.logger.info({ removed: total, runId: ctx.runId }, 'sessions cleaned up');
      return { items: total };
    },
  };
}
