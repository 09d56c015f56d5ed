import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import { backoffMs, errorMessage } from '../eventing/backoff.js';
import type { EventingMetrics } from '../eventing/eventing.metrics.js';
import type { PlatformTables } from '../eventing/platform.tables.js';
import { newId } from '../ids.js';
import type { Logger } from '../logging/logger.js';
import type { CompensationHandlers } from './compensation.types.js';

// biome-ignore lint/suspicious/noExplicitAny: any service's schema type is accepted here (its own tables plus the platform's)
type Db = Kysely<any> | Transaction<any>;
const platform = (db: Db) => db as unknown as Kysely<PlatformTables>;

export interface FailedCompensation {
  id: string;
  service: string;
  sagaType: string;
  sagaId: string;
  step: string;
  action: string;
  payload: unknown;
  status: 'pending' | 'resolved' | 'exhausted';
  attempts: number;
  nextAttemptAt: Date;
  lastError: string;
  createdAt: Date;
  resolvedAt: Date | null;
}

export interface CompensationPolicy {
  maxAttempts: number;
  baseMs: number;
  /** Cap of the backoff (spec: 30 min). */
  maxMs: number;
}

/**
 * Records a compensation that failed, with what to retry (`action` + `payload`), so nothing stays
 * half-done without a record (G5). Recording the same step and action again keeps one row.
 */
export async function recordFailedCompensation(
  db: Db,
  c: { sagaType: string; sagaId: string; step: string; action: string; payload: unknown; error: unknown },
  policy: Pick<CompensationPolicy, 'baseMs' | 'maxMs'>,
  now: Date = new Date(),
): Promise<void> {
  await platform(db)
    .insertInto('failed_compensations')
    .values({
      id: newId(),
      saga_type: c.sagaType,
      saga_id: c.sagaId,
      step: c.step,
      action: c.action,
      payload: JSON.stringify(c.payload ?? null),
      next_attempt_at: new Date(now.getTime() + backoffMs(1, policy.baseMs, policy.maxMs)),
      last_error: errorMessage(c.error).slice(0, 4000),
      updated_at: now,
      resolved_at: null,
    })
    .onConflict((oc) =>
      oc.columns(['saga_type', 'saga_id', 'step', 'action']).doUpdateSet((eb) => ({
        status: 'pending',
        payload: eb.ref('excluded.payload'),
        last_error: eb.ref('excluded.last_error'),
        updated_at: now,
        resolved_at: null,
      })),
    )
    .execute();
}

export async function listCompensations(
  db: Kysely<PlatformTables>,
  service: string,
  query: { status?: 'pending' | 'resolved' | 'exhausted'; limit: number },
): Promise<FailedCompensation[]> {
  let q = db
    .selectFrom('failed_compensations')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit);
  if (query.status) q = q.where('status', '=', query.status);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    service,
    sagaType: r.saga_type,
    sagaId: r.saga_id,
    step: r.step,
    action: r.action,
    payload: r.payload,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: new Date(r.next_attempt_at),
    lastError: r.last_error,
    createdAt: new Date(r.created_at),
    resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
  }));
}

/**
 * The retry job body: works off due rows in a bounded batch (keyset by due time and id). A row
 * whose attempts run out becomes `exhausted`, is counted in a metric and logged as an error (alert).
 */
export async function retryDueCompensations(deps: {
  service: string;
  db: Kysely<PlatformTables>;
  handlers: CompensationHandlers;
  policy: CompensationPolicy;
  logger: Logger;
  metrics: EventingMetrics;
  clock: Clock;
  batchSize?: number;
}): Promise<number> {
  const { db, handlers, policy, logger, metrics, clock, service } = deps;
  const due = await db
    .selectFrom('failed_compensations')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', clock.now())
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(deps.batchSize ?? 100)
    .execute();
  let handled = 0;
  for (const row of due) {
    const handler = handlers[row.action];
    const attempt = row.attempts + 1;
    try {
      if (!handler) throw new Error(`no compensation handler for action ${row.action}`);
      await handler(row.payload, {
        sagaType: row.saga_type,
        sagaId: row.saga_id,
        step: row.step,
        attempt,
        logger,
      });
      await db
        .updateTable('failed_compensations')
        .set({ status: 'resolved', attempts: attempt, resolved_at: clock.now(), updated_at: clock.now() })
        .where('id', '=', row.id)
        .execute();
      logger.info({ service, id: row.id, action: row.action }, 'compensation retried successfully');
    } catch (err) {
      const exhausted = attempt >= policy.maxAttempts;
      await db
        .updateTable('failed_compensations')
        .set({
          status: exhausted ? 'exhausted' : 'pending',
          attempts: attempt,
          last_error: errorMessage(err).slice(0, 4000),
          next_attempt_at: new Date(clock.now().getTime() + backoffMs(attempt, policy.baseMs, policy.maxMs)),
          updated_at: clock.now(),
        })
        .where('id', '=', row.id)
        .execute();
      if (exhausted) {
        metrics.compensationsExhausted.inc({ service });
        logger.error(
          { service, id: row.id, action: row.action, attempts: attempt, err },
          'compensation exhausted its retries',
        );
      } else
        logger.warn({ service, id: row.id, action: row.action, attempt, err }, 'compensation retry failed');
    }
    handled++;
  }
  return handled;
}

export async function compensationCounts(db: Kysely<PlatformTables>): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('failed_compensations')
    .select(['status', (eb) => eb.fn.countAll<bigint>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
