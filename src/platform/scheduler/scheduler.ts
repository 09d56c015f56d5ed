import { Cron } from 'croner';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import { errorMessage } from '../eventing/backoff.js';
import type { JobDeclaration } from '../eventing/declarations.js';
import type { EventingMetrics } from '../eventing/eventing.metrics.js';
import type { PlatformTables } from '../eventing/platform.tables.js';
import type { Logger } from '../logging/logger.js';
import { claimTick, finishRun, type JobRun, lastRuns, lastSuccesses } from './job-run.store.js';

export interface SchedulerDeps {
  service: string;
  db: Kysely<PlatformTables>;
  jobs: readonly JobDeclaration[];
  timezone: string;
  logger: Logger;
  metrics: EventingMetrics;
  clock: Clock;
}

export type TickOutcome =
  | { ran: true; runId: string; status: 'succeeded' | 'failed'; items: number }
  | { ran: false; reason: 'claimed_elsewhere' };

export interface JobStatus {
  service: string;
  job: string;
  cron: string;
  nextRunAt: Date | null;
  lastRun: JobRun | null;
  lastSuccessAt: Date | null;
  maxStalenessSeconds: number | null;
}

const DEFAULT_TIMEOUT_MS = 3_600_000;

/**
 * Runs a service's jobs on wall-clock cron ticks in SCHEDULER_TIMEZONE (SG-18), once per tick
 * across replicas (G7), records every run in `job_runs` and feeds readiness when a job's last
 * success is too old.
 */
export class Scheduler {
  private readonly crons = new Map<string, Cron>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  private startedAt: Date;

  constructor(private readonly deps: SchedulerDeps) {
    this.startedAt = deps.clock.now();
    const names = new Set<string>();
    for (const job of deps.jobs) {
      if (names.has(job.name)) throw new Error(`Job ${deps.service}/${job.name} is declared twice`);
      names.add(job.name);
      // Refuse an invalid cron expression or time zone at start-up, not at the first tick.
      new Cron(job.cron, { timezone: deps.timezone, paused: true }).stop();
    }
  }

  start(): void {
    this.startedAt = this.deps.clock.now();
    for (const job of this.deps.jobs) {
      const startAt = job.startupDelayMs ? new Date(Date.now() + job.startupDelayMs) : undefined;
      const cron: Cron = new Cron(
        job.cron,
        { timezone: this.deps.timezone, protect: true, ...(startAt ? { startAt } : {}) },
        () => {
          // The scheduled instant (not "now"): replicas firing a few ms apart agree on the tick.
          const tick = cron.previousRuns(1, new Date(Date.now() + 500))[0] ?? new Date();
          return this.track(this.runTick(job.name, tick)).then(
            () => undefined,
            (err: unknown) =>
              this.deps.logger.error(
                { err, service: this.deps.service, job: job.name },
                'job tick could not be recorded',
              ),
          );
        },
      );
      this.crons.set(job.name, cron);
    }
  }

  async stop(): Promise<void> {
    for (const cron of this.crons.values()) cron.stop();
    this.crons.clear();
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Runs `job` for `tick` unless another replica already claimed that tick. */
  async runTick(name: string, tick: Date): Promise<TickOutcome> {
    const { db, service, logger, metrics, clock } = this.deps;
    const job = this.deps.jobs.find((j) => j.name === name);
    if (!job) throw new Error(`No job ${name} in ${service}`);
    const runId = await claimTick(
      db,
      `orderline:job:${service}:${name}`,
      name,
      tick.toISOString(),
      clock.now(),
      job.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    if (!runId) return { ran: false, reason: 'claimed_elsewhere' };
    const end = metrics.jobDuration.startTimer({ service, job: name });
    const log = logger.child({ service, job: name, runId });
    try {
      const result = await job.handler({ tick, runId, logger: log, signal: this.abort.signal });
      const items = typeof result === 'number' ? result : (result?.items ?? 0);
      await finishRun(db, runId, { status: 'succeeded', items, error: null, at: clock.now() });
      end({ status: 'succeeded' });
      metrics.jobLastSuccess.set({ service, job: name }, clock.now().getTime() / 1000);
      log.info({ items }, 'job run succeeded');
      return { ran: true, runId, status: 'succeeded', items };
    } catch (err) {
      await finishRun(db, runId, {
        status: 'failed',
        items: 0,
        error: errorMessage(err).slice(0, 4000),
        at: clock.now(),
      });
      end({ status: 'failed' });
      log.error({ err }, 'job run failed');
      return { ran: true, runId, status: 'failed', items: 0 };
    }
  }

  /** Manual trigger (tests, operators): a tick of its own at the current time. */
  runNow(name: string): Promise<TickOutcome> {
    return this.track(this.runTick(name, this.deps.clock.now()));
  }

  /** Undefined when healthy; otherwise which jobs are stale. */
  async readiness(): Promise<string | undefined> {
    const watched = this.deps.jobs.filter((j) => j.maxStalenessSeconds !== undefined);
    if (watched.length === 0) return undefined;
    const successes = await lastSuccesses(this.deps.db);
    const now = this.deps.clock.now().getTime();
    const stale = watched.filter((j) => {
      const limit = now - j.maxStalenessSeconds! * 1000;
      const last = successes.get(j.name);
      return last ? last.getTime() < limit : this.startedAt.getTime() < limit;
    });
    return stale.length > 0
      ? `stale jobs: ${stale.map((j) => `${this.deps.service}/${j.name}`).join(', ')}`
      : undefined;
  }

  async status(): Promise<JobStatus[]> {
    const { db, jobs, service, timezone } = this.deps;
    const [runs, successes] = await Promise.all([
      lastRuns(
        db,
        jobs.map((j) => j.name),
      ),
      lastSuccesses(db),
    ]);
    return jobs.map((j) => ({
      service,
      job: j.name,
      cron: j.cron,
      nextRunAt: new Cron(j.cron, { timezone, paused: true }).nextRun(),
      lastRun: runs.get(j.name) ?? null,
      lastSuccessAt: successes.get(j.name) ?? null,
      maxStalenessSeconds: j.maxStalenessSeconds ?? null,
    }));
  }

  /** Scrape-time metric: last success per job as stored, whichever replica ran it. */
  async collectMetrics(): Promise<void> {
    const successes = await lastSuccesses(this.deps.db);
    for (const [job, at] of successes)
      this.deps.metrics.jobLastSuccess.set({ service: this.deps.service, job }, at.getTime() / 1000);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    // Bookkeeping only: the caller receives `p` itself and handles its rejection.
    p.then(
      () => this.inFlight.delete(p),
      () => this.inFlight.delete(p),
    );
    return p;
  }
}
