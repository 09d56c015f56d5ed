import { type Ctx, systemCtx } from '../../../platform/context.js';
import { backoffMs, errorMessage } from '../../../platform/eventing/backoff.js';
import { transaction } from '../../../platform/eventing/index.js';
import { money } from '../../../platform/money.js';
import { orderRepository as orders } from '../data/order.repository.js';
import { type ReturnRow, returnRepository as returns } from '../data/return.repository.js';
import type { ReturnStep } from '../domain/return-status.js';
import { completeReturnIfReady } from './return-completion.js';
import type { ReturnDeps } from './return-deps.js';

/** The warehouse's idempotency reference for a return's restock: one restock per return. */
export const restockReference = (returnId: string): string => `return:${returnId}`;

/**
 * The refund's idempotency key (G2): `return:{id}:refund`, stable across retries so a retried or
 * crashed try never refunds twice. A refusal is final for its key at the payment service, and a
 * refused refund moved no money, so after a refusal the next try uses a new key (`…:refund:2`).
 */
export const refundKey = (r: Pick<ReturnRow, 'id' | 'refund_refusals'>): string =>
  r.refund_refusals === 0 ? `return:${r.id}:refund` : `return:${r.id}:refund:${r.refund_refusals + 1}`;

export type StepsOutcome = 'not_due' | 'completed' | 'retry' | 'done';

interface Failure {
  step: ReturnStep;
  error: string;
  /** The payment service refused (a result, not an outage): its key is spent. */
  refused?: boolean;
}

/**
 * One pass over a received return's compensable steps (04-services.md "Returns"). Claimed first
 * (conditional update pushing the due time out by a lease), so a kick and the job, or two
 * scheduler instances, never run the same step at once; a crashed pass is retried after the lease.
 * Restock goes to the warehouse each unit shipped from (stored per item, never a default); the
 * refund pays the amount fixed at request. Both calls are idempotent (reference / key), so a
 * retry after an unknown outcome is safe. When both are done the return completes; a failure
 * counts a try and backs off — past ORDER_RETURN_STEP_MAX_ATTEMPTS still retried at the cap, with
 * an error log and `orderline_order_return_steps_overdue_total` (G5: never given up silently).
 */
export async function runReturnSteps(deps: ReturnDeps, returnId: string): Promise<StepsOutcome> {
  const now = deps.clock.now();
  const seen = await returns.find(deps.db, returnId);
  if (seen?.status !== 'received' || !seen.steps_next_at || seen.steps_next_at > now) return 'not_due';
  const leaseUntil = new Date(now.getTime() + deps.steps.maxMs);
  const claimed = await returns.claimSteps(deps.db, seen, now, leaseUntil);
  if (!claimed) return 'not_due';
  const ctx = systemCtx(deps.logger, 'order.return-steps', `return:${returnId}`);
  const failures: Failure[] = [];
  if (claimed.restock_state === 'pending') {
    const failure = await restock(deps, ctx, claimed);
    if (failure) failures.push(failure);
  }
  if (claimed.refund_state === 'pending') {
    const failure = await refund(deps, ctx, claimed);
    if (failure) failures.push(failure);
  }
  if (failures.length > 0) {
    await scheduleRetry(deps, ctx, claimed, failures);
    return 'retry';
  }
  let completed: ReturnRow | undefined;
  try {
    completed = await transaction(deps.db, (tx) => completeReturnIfReady(tx, returnId, deps.clock.now()));
  } catch (err) {
    // Both steps are done; only the completion failed. Due again soon instead of after the lease.
    ctx.logger.error({ err, returnId }, 'completing the return failed; retrying');
    const at = deps.clock.now();
    await returns.scheduleRetry(deps.db, claimed, {}, new Date(at.getTime() + deps.steps.baseMs), at);
    return 'retry';
  }
  if (completed) ctx.logger.info({ returnId, orderId: completed.order_id }, 'return completed');
  return completed ? 'completed' : 'done';
}

async function restock(deps: ReturnDeps, ctx: Ctx, r: ReturnRow): Promise<Failure | undefined> {
  try {
    const items = await returns.listItems(deps.db, r.id);
    await deps.warehouse.restock(ctx, {
      reference: restockReference(r.id),
      items: items.map((i) => ({ warehouseId: i.warehouse_id, sku: i.sku, quantity: i.quantity })),
    });
    await returns.markRestocked(deps.db, r.id, deps.clock.now());
    return undefined;
  } catch (err) {
    return { step: 'restock', error: errorMessage(err) };
  }
}

async function refund(deps: ReturnDeps, ctx: Ctx, r: ReturnRow): Promise<Failure | undefined> {
  try {
    const order = await orders.findOrder(deps.db, r.order_id);
    if (!order) throw new Error(`order ${r.order_id} of return ${r.id} not found`);
    const result = await deps.payment.refund(
      ctx,
      order.payment_id,
      money(r.refund_amount, r.currency),
      refundKey(r),
      { returnId: r.id },
    );
    if (!result.ok) return { step: 'refund', error: result.detail, refused: true };
    await returns.markRefunded(deps.db, r.id, result.refundId, deps.clock.now());
    return undefined;
  } catch (err) {
    return { step: 'refund', error: errorMessage(err) };
  }
}

async function scheduleRetry(deps: ReturnDeps, ctx: Ctx, r: ReturnRow, failures: Failure[]): Promise<void> {
  const { maxAttempts, baseMs, maxMs } = deps.steps;
  const set: Parameters<typeof returns.scheduleRetry>[2] = {};
  let attempts = 0;
  for (const f of failures) {
    const n = (f.step === 'restock' ? r.restock_attempts : r.refund_attempts) + 1;
    attempts = Math.max(attempts, n);
    if (f.step === 'restock')
      Object.assign(set, { restock_attempts: n, restock_last_error: f.error.slice(0, 2000) });
    else
      Object.assign(set, {
        refund_attempts: n,
        refund_last_error: f.error.slice(0, 2000),
        ...(f.refused ? { refund_refusals: r.refund_refusals + 1 } : {}),
      });
    deps.returnMetrics.stepFailures.inc({ step: f.step });
    const detail = { returnId: r.id, orderId: r.order_id, step: f.step, attempt: n, error: f.error };
    if (n >= maxAttempts) {
      deps.returnMetrics.stepsOverdue.inc({ step: f.step });
      ctx.logger.error(detail, 'return step keeps failing; retrying at the longest backoff (alert)');
    } else ctx.logger.warn(detail, 'return step failed; retrying with backoff');
  }
  // Past the attempts budget every try waits the cap (with jitter): slower, but never abandoned.
  const delay = backoffMs(attempts >= maxAttempts ? Number.POSITIVE_INFINITY : attempts, baseMs, maxMs);
  const now = deps.clock.now();
  await returns.scheduleRetry(deps.db, r, set, new Date(now.getTime() + delay), now);
}

/** Job body (return-compensation): one bounded batch of due returns, each claimed before it runs. */
export async function runDueReturnSteps(deps: ReturnDeps, batchSize: number, signal: AbortSignal) {
  const due = await returns.dueSteps(deps.db, deps.clock.now(), batchSize);
  let handled = 0;
  for (const { id } of due) {
    if (signal.aborted) break;
    if ((await runReturnSteps(deps, id)) !== 'not_due') handled++;
  }
  return handled;
}
