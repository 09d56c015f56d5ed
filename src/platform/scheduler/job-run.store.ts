import { type Kysely, sql } from 'kysely';
import type { PlatformTables } from '../eventing/platform.tables.js';
import { newId } from '../ids.js';

export interface JobRun {
  id: string;
  job: string;
  tick: string;
  startedAt: Date;
  finishedAt: Date | null;
  status: 'running' | 'succeeded' | 'failed';
  items: number;
  error: string | null;
}

/**
 * Claims one tick of a job (G7). A transaction-scoped advisory lock makes "no run in progress" +
 * "insert the tick" atomic across replicas; the unique (job, tick) makes a second replica's claim
 * of the same tick a no-op even after the first run finished. The transaction stays short and the
 * job runs outside it, which also keeps PGlite (one session) from deadlocking.
 */
export async function claimTick(
  db: Kysely<PlatformTables>,
  lockKey: string,
  job: string,
  tick: string,
  now: Date,
  timeoutMs: number,
): Promise<string | undefined> {
  return db.transaction().execute(async (trx) => {
    const lock = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_xact_lock(hashtext(${lockKey})) as locked`.execute(trx);
    if (!lock.rows[0]?.locked) return undefined;
    const staleBefore = new Date(now.getTime() - timeoutMs);
    // A run left `running` past its timeout belongs to a dead replica: surface it as failed.
    await trx
      .updateTable('job_runs')
      .set({ status: 'failed', finished_at: now, error: `abandoned: still running after ${timeoutMs} ms` })
      .where('job', '=', job)
      .where('status', '=', 'running')
      .where('started_at', '<', staleBefore)
      .execute();
    const running = await trx
      .selectFrom('job_runs')
      .select('id')
      .where('job', '=', job)
      .where('status', '=', 'running')
      .executeTakeFirst();
    if (running) return undefined;
    const id = newId();
    const inserted = await trx
      .insertInto('job_runs')
      .values({ id, job, tick, started_at: now, finished_at: null, status: 'running', error: null })
      .onConflict((oc) => oc.columns(['job', 'tick']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted?.id;
  });
}

export async function finishRun(
  db: Kysely<PlatformTables>,
  id: string,
  result: { status: 'succeeded' | 'failed'; items: number; error: string | null; at: Date },
): Promise<void> {
  await db
    .updateTable('job_runs')
    .set({ status: result.status, items: result.items, error: result.error, finished_at: result.at })
    .where('id', '=', id)
    .execute();
}

export async function lastSuccesses(db: Kysely<PlatformTables>): Promise<Map<string, Date>> {
  const rows = await db
    .selectFrom('job_runs')
    .select(['job', (eb) => eb.fn.max('finished_at').as('at')])
    .where('status', '=', 'succeeded')
    .groupBy('job')
    .execute();
  return new Map(rows.filter((r) => r.at).map((r) => [r.job, new Date(r.at as Date)]));
}

export async function lastRuns(db: Kysely<PlatformTables>, jobs: string[]): Promise<Map<string, JobRun>> {
  const result = new Map<string, JobRun>();
  for (const job of jobs) {
    const r = await db
      .selectFrom('job_runs')
      .selectAll()
      .where('job', '=', job)
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (r)
      result.set(job, {
        id: r.id,
        job: r.job,
        tick: r.tick,
        startedAt: new Date(r.started_at),
        finishedAt: r.finished_at ? new Date(r.finished_at) : null,
        status: r.status,
        items: r.items,
        error: r.error,
      });
  }
  return result;
}

export async function purgeJobRuns(db: Kysely<PlatformTables>, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('job_runs')
    .where('started_at', '<', before)
    .where('status', '<>', 'running')
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
