import { errorMessage } from '../../../platform/eventing/backoff.js';
import { shipmentRepository as repo, type ShipmentRow } from '../data/shipment.repository.js';
import { afterFailure } from '../domain/booking-retry.js';
import type { ShipmentDeps } from './deps.js';
import { CarrierUnavailable } from './resilient-carriers.js';

export type CancelOutcome = 'missing' | 'not_due' | 'done' | 'retry' | 'failed';

/** Voids the carrier's label of one cancelled shipment when it is due (kick after a cancellation). */
export async function cancelAtCarrier(deps: ShipmentDeps, id: string): Promise<CancelOutcome> {
  // Looked up before claiming, so "nothing claimed" never stands for "not committed yet".
  if (!(await repo.find(deps.db, id))?.cancel_state) return 'missing';
  const now = deps.clock.now();
  const [claimed] = await repo.claimCancels(deps.db, now, new Date(now.getTime() + deps.leaseMs), 1, id);
  return claimed ? voidLabel(deps, claimed) : 'not_due';
}

/** Job body: one batch of due carrier cancellations. */
export async function cancelDue(deps: ShipmentDeps, signal: AbortSignal): Promise<number> {
  const now = deps.clock.now();
  const rows = await repo.claimCancels(deps.db, now, new Date(now.getTime() + deps.leaseMs), deps.batchSize);
  let handled = 0;
  for (const row of rows) {
    if (signal.aborted) break;
    await voidLabel(deps, row);
    handled++;
  }
  return handled;
}

/**
 * One claimed try: the carrier voids the label → done. No answer → retried with backoff; a
 * definite refusal (the parcel is already moving) or exhausted tries → `failed`, logged as an
 * error and counted for alerting: someone has to call the carrier.
 */
async function voidLabel(deps: ShipmentDeps, row: ShipmentRow): Promise<CancelOutcome> {
  const trackingNumber = row.tracking_number;
  if (!trackingNumber)
    throw new Error(`shipment ${row.id} has a pending carrier cancel but no tracking number`);
  try {
    await deps.carriers.call(row.carrier, (c) => c.cancel(trackingNumber));
  } catch (err) {
    const error = errorMessage(err).slice(0, 2000);
    const now = deps.clock.now();
    const step =
      err instanceof CarrierUnavailable
        ? afterFailure(deps.retry, row.cancel_attempts, now)
        : { kind: 'give_up' as const };
    if (step.kind === 'retry') {
      await repo.update(deps.db, row, { cancel_next_at: step.at, cancel_last_error: error }, now);
      deps.logger.warn(
        { shipmentId: row.id, carrier: row.carrier, attempt: row.cancel_attempts, err },
        'carrier cancel failed; retrying',
      );
      return 'retry';
    }
    await repo.update(
      deps.db,
      row,
      { cancel_state: 'failed', cancel_next_at: null, cancel_last_error: error },
      now,
    );
    deps.metrics.cancelFailures.inc({ carrier: row.carrier });
    deps.logger.error(
      { shipmentId: row.id, orderId: row.order_id, carrier: row.carrier, attempts: row.cancel_attempts, err },
      'carrier did not void the label of a cancelled shipment; void it with the carrier by hand',
    );
    return 'failed';
  }
  await repo.update(
    deps.db,
    row,
    { cancel_state: 'done', cancel_next_at: null, cancel_last_error: null },
    deps.clock.now(),
  );
  return 'done';
}
