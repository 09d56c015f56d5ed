import type { Kysely, Transaction } from 'kysely';
import type { PlatformTables, SagaStepsTable } from '../eventing/platform.tables.js';

// biome-ignore lint/suspicious/noExplicitAny: any service's schema type is accepted here (its own tables plus the platform's)
type Db = Kysely<any> | Transaction<any>;
const platform = (db: Db) => db as unknown as Kysely<PlatformTables>;

export type StepStatus = SagaStepsTable['status'];

export interface SagaStep {
  step: string;
  status: StepStatus;
  idempotencyKey: string;
  result: unknown;
  error: string | null;
  updatedAt: Date;
}

/** `checkout:{id}:authorize`: the key a step passes to outside providers so a retry never repeats it. */
export const stepIdempotencyKey = (sagaType: string, sagaId: string, step: string): string =>
  `${sagaType}:${sagaId}:${step}`;

/**
 * Persists where a saga is (which steps ran, their results) so a crashed process resumes or
 * compensates instead of leaving work half-done (G5). Write it in the same transaction as the
 * step's local effect where there is one.
 */
export interface StepRecord {
  sagaType: string;
  sagaId: string;
  step: string;
  status: StepStatus;
  result?: unknown;
  error?: string;
}

export async function recordStep(db: Db, step: StepRecord, at: Date = new Date()): Promise<void> {
  await recordSteps(db, [step], at);
}

/** Several steps in ONE statement (e.g. with the transaction that commits their effect). */
export async function recordSteps(
  db: Db,
  steps: readonly StepRecord[],
  at: Date = new Date(),
): Promise<void> {
  if (steps.length === 0) return;
  await platform(db)
    .insertInto('saga_steps')
    .values(
      steps.map((step) => ({
        saga_type: step.sagaType,
        saga_id: step.sagaId,
        step: step.step,
        status: step.status,
        idempotency_key: stepIdempotencyKey(step.sagaType, step.sagaId, step.step),
        result: step.result === undefined ? null : JSON.stringify(step.result),
        error: step.error ?? null,
        updated_at: at,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['saga_type', 'saga_id', 'step']).doUpdateSet((eb) => ({
        status: eb.ref('excluded.status'),
        result: eb.ref('excluded.result'),
        error: eb.ref('excluded.error'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

export async function sagaSteps(db: Db, sagaType: string, sagaId: string): Promise<SagaStep[]> {
  const rows = await platform(db)
    .selectFrom('saga_steps')
    .selectAll()
    .where('saga_type', '=', sagaType)
    .where('saga_id', '=', sagaId)
    .orderBy('updated_at')
    .execute();
  return rows.map((r) => ({
    step: r.step,
    status: r.status,
    idempotencyKey: r.idempotency_key,
    result: r.result,
    error: r.error,
    updatedAt: new Date(r.updated_at),
  }));
}
