import { transaction } from '../../../platform/eventing/index.js';
import type { OrderRow } from '../data/order.repository.js';
import type { OrderStatus } from '../domain/order-status.js';
import type { LifecycleDeps } from './deps.js';
import { applyToOrder, type Transition } from './order-transition.js';

/**
 * A status change made by a job for one order it read in a batch: re-read and guarded inside its
 * own transaction (the batch row may be stale), so two runs or a consumer racing the job move the
 * order at most once (G6, G7).
 */
export async function moveIfStill(
  deps: LifecycleDeps,
  order: OrderRow,
  expected: OrderStatus,
  change: (now: Date) => Transition,
): Promise<boolean> {
  const now = deps.clock.now();
  const moved = await transaction(deps.db, (tx) =>
    applyToOrder(tx, order.id, now, (o) => (o.status === expected ? change(now) : undefined)),
  );
  return Boolean(moved);
}

/** The columns of a cancellation by the system with `reason`. */
export const systemCancel = (reason: string, order: OrderRow, now: Date): Transition => ({
  to: 'cancelled',
  reason,
  set: {
    cancelled_at: now,
    cancelled_by: 'system',
    cancel_reason: reason,
    ...(order.capture_state === 'scheduled'
      ? { capture_state: 'failed' as const, capture_next_at: null, capture_last_error: reason }
      : {}),
  },
});
