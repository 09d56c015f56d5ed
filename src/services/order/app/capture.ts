import { type Ctx, systemCtx } from '../../../platform/context.js';
import { errorMessage } from '../../../platform/eventing/backoff.js';
import {
  type CompensationHandlers,
  recordFailedCompensation,
  transaction,
} from '../../../platform/eventing/index.js';
import { money } from '../../../platform/money.js';
import { orderRepository as orders } from '../data/order.repository.js';
import { lifecycleRepository as lifecycle } from '../data/order-lifecycle.repository.js';
import { authorizationTooOld, captureRetryDelayMs, capturesExhausted } from '../domain/capture-policy.js';
import { compensationPolicy, type LifecycleDeps } from './deps.js';
import { applyToOrder } from './order-transition.js';

export const CAPTURE_SAGA = 'order-capture';
export const ACTION_VOID_FAILED_CAPTURE = 'void-failed-capture';
export const CAPTURE_FAILED = 'capture_failed';

/** One stable key per order: a retried or crashed try can never capture twice (G2). */
export const captureKey = (orderId: string): string => `order:${orderId}:capture`;
const voidKey = (orderId: string): string => `order:${orderId}:capture-failed:void`;

export type CaptureOutcome = 'not_due' | 'captured' | 'retry' | 'failed';

/**
 * One capture try for a scheduled card order (04-services.md "Payment capture"): claimed with a
 * conditional update (a kick and the job, or two replicas, never take the same try), then
 * `payment.capture` with the order's STORED total (G2, seed capture_retry.go:153). No answer →
 * backoff and retry; a refusal, exhausted tries or an authorization too old to capture → void
 * and cancel with reason `capture_failed` (G5).
 */
export async function attemptCapture(deps: LifecycleDeps, orderId: string): Promise<CaptureOutcome> {
  const now = deps.clock.now();
  const order = await orders.findOrder(deps.db, orderId);
  if (order?.status !== 'pending' || order.capture_state !== 'scheduled') return 'not_due';
  if (!order.capture_next_at || order.capture_next_at > now) return 'not_due';
  const ctx = systemCtx(deps.logger, 'order.capture', `capture:${orderId}`);
  if (authorizationTooOld(deps.capture, order.created_at, now)) {
    await failCapture(deps, ctx, orderId, order.payment_id, 'the authorization is too old to capture');
    return 'failed';
  }
  // The lease covers the provider call (bounded by its timeout); a crash is retried after it.
  const leaseUntil = new Date(now.getTime() + deps.capture.maxMs);
  const claimed = await lifecycle.claimCaptureAttempt(deps.db, order, now, leaseUntil);
  if (!claimed) return 'not_due';
  const attempt = claimed.capture_attempts;
  let result: Awaited<ReturnType<LifecycleDeps['payment']['capture']>>;
  try {
    result = await deps.payment.capture(
      ctx,
      order.payment_id,
      money(order.total, order.currency),
      captureKey(order.id),
    );
  } catch (err) {
    const error = errorMessage(err);
    if (capturesExhausted(deps.capture, attempt)) {
      await failCapture(deps, ctx, orderId, order.payment_id, `no capture after ${attempt} tries: ${error}`);
      return 'failed';
    }
    const at = new Date(deps.clock.now().getTime() + captureRetryDelayMs(deps.capture, attempt));
    await lifecycle.scheduleCaptureRetry(deps.db, orderId, attempt, at, error, deps.clock.now());
    deps.metrics.captures.inc({ result: 'retry' });
    ctx.logger.warn({ orderId, attempt, err }, 'capture failed; retrying with backoff');
    return 'retry';
  }
  if (result.ok) {
    await lifecycle.markCaptured(deps.db, orderId, deps.clock.now());
    deps.metrics.captures.inc({ result: 'captured' });
    return 'captured';
  }
  // A refusal is final: the payment service failed the payment, retrying cannot succeed.
  await failCapture(deps, ctx, orderId, order.payment_id, result.detail);
  return 'failed';
}

/**
 * Compensation of a capture that will not happen (G5): void the authorization — a failed void is
 * recorded in failed_compensations for the platform's retry job and counted for alerting — then
 * cancel the order (`capture_failed`), which releases its stock through the status event.
 */
async function failCapture(
  deps: LifecycleDeps,
  ctx: Ctx,
  orderId: string,
  paymentId: string,
  error: string,
): Promise<void> {
  deps.metrics.captures.inc({ result: 'failed' });
  ctx.logger.warn({ orderId, error }, 'capture given up: voiding and cancelling');
  try {
    await deps.payment.void(ctx, paymentId, voidKey(orderId));
  } catch (err) {
    deps.metrics.compensationFailures.inc({ action: ACTION_VOID_FAILED_CAPTURE });
    ctx.logger.error({ err, orderId }, 'void after failed capture failed; recorded for retry');
    await recordFailedCompensation(
      deps.db,
      {
        sagaType: CAPTURE_SAGA,
        sagaId: orderId,
        step: 'capture',
        action: ACTION_VOID_FAILED_CAPTURE,
        payload: { orderId, paymentId },
        error: err,
      },
      compensationPolicy(deps.config),
      deps.clock.now(),
    );
  }
  const now = deps.clock.now();
  await transaction(deps.db, async (tx) => {
    const cancelled = await applyToOrder(tx, orderId, now, (o) =>
      o.status === 'pending'
        ? {
            to: 'cancelled',
            reason: CAPTURE_FAILED,
            set: {
              capture_state: 'failed',
              capture_next_at: null,
              capture_last_error: error.slice(0, 2000),
              cancelled_at: now,
              cancelled_by: 'system',
              cancel_reason: CAPTURE_FAILED,
            },
          }
        : undefined,
    );
    if (cancelled) deps.metrics.cancellations.inc({ reason: CAPTURE_FAILED });
    else await lifecycle.markCaptureFailed(tx, orderId, error, now);
  });
}

/** Job body (capture-retry): one bounded batch of due tries. */
export async function captureDue(
  deps: LifecycleDeps,
  batchSize: number,
  signal: AbortSignal,
): Promise<number> {
  const due = await lifecycle.dueCaptures(deps.db, deps.clock.now(), batchSize);
  let handled = 0;
  for (const { id } of due) {
    if (signal.aborted) break;
    if ((await attemptCapture(deps, id)) !== 'not_due') handled++;
  }
  return handled;
}

/** Retry handler for a void that failed after a failed capture (platform.compensation-retry). */
export function captureCompensations(deps: LifecycleDeps): CompensationHandlers {
  return {
    [ACTION_VOID_FAILED_CAPTURE]: async (payload, meta) => {
      const { orderId, paymentId } = payload as { orderId: string; paymentId: string };
      await deps.payment.void(
        systemCtx(deps.logger, 'order.compensation', `compensation:${meta.sagaId}`),
        paymentId,
        voidKey(orderId),
      );
    },
  };
}
