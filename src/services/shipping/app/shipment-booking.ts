import { errorMessage } from '../../../platform/eventing/backoff.js';
import { transaction } from '../../../platform/eventing/index.js';
import {
  isUniqueViolation,
  shipmentRepository as repo,
  type ShipmentRow,
} from '../data/shipment.repository.js';
import { afterFailure } from '../domain/booking-retry.js';
import type { CarrierBooking } from '../domain/ports.js';
import { BOOKING_STATUSES, type ShipmentStatus } from '../domain/shipment-status.js';
import type { ShipmentDeps } from './deps.js';
import { kickCarrierCancels } from './shipment-cancel.js';
import { LockedShipments } from './shipment-transition.js';

export type BookingOutcome = 'missing' | 'not_due' | 'booked' | 'retry' | 'manual';

const isBooking = (s: ShipmentStatus): boolean => (BOOKING_STATUSES as readonly string[]).includes(s);

/** Books one shipment when it is due (the kick after its creation). */
export async function bookShipment(deps: ShipmentDeps, id: string): Promise<BookingOutcome> {
  // Looked up before claiming: a claim that finds nothing then means "not due or taken", never
  // "not committed yet" (the claim's snapshot may predate the creating commit; the kick retries).
  if (!(await repo.find(deps.db, id))) return 'missing';
  const now = deps.clock.now();
  const [claimed] = await repo.claimBookings(deps.db, now, new Date(now.getTime() + deps.leaseMs), 1, id);
  return claimed ? book(deps, claimed) : 'not_due';
}

/** Job body (shipment-booking): one batch of due bookings (created, or carrier_pending past its backoff). */
export async function bookDue(deps: ShipmentDeps, signal: AbortSignal): Promise<number> {
  const now = deps.clock.now();
  const rows = await repo.claimBookings(deps.db, now, new Date(now.getTime() + deps.leaseMs), deps.batchSize);
  let handled = 0;
  for (const row of rows) {
    if (signal.aborted) break;
    await book(deps, row);
    handled++;
  }
  return handled;
}

/**
 * One claimed booking try (SHIP-P0-01), outside any transaction: the order's address from the
 * order service (never logged or published: G10), then the carrier with the shipment id as its
 * idempotency reference, so a retry after a lost answer gets the same label. The answer is
 * recorded in a transaction of its own.
 */
async function book(deps: ShipmentDeps, row: ShipmentRow): Promise<BookingOutcome> {
  if (!deps.carriers.get(row.carrier))
    return recordFailure(deps, row, `no carrier named ${row.carrier}`, true);
  let booking: CarrierBooking;
  try {
    const order = await deps.orders.getOrder(row.order_id);
    if (!order) throw new Error(`order ${row.order_id} was not found`);
    booking = await deps.carriers.call(row.carrier, (c) =>
      c.createShipment({
        reference: row.id,
        orderId: row.order_id,
        packageId: row.package_id,
        weightGrams: row.weight_grams,
        shipTo: order.shippingAddress,
      }),
    );
  } catch (err) {
    return recordFailure(deps, row, errorMessage(err), false);
  }
  try {
    return await recordBooked(deps, row, booking);
  } catch (err) {
    // SHIP-P0-02: the carrier handed out a number another of its shipments has. Counted as a
    // failed try, so it ends in manual handling instead of failing the same way forever.
    if (!isUniqueViolation(err)) throw err;
    return recordFailure(
      deps,
      row,
      `${row.carrier} returned tracking number ${booking.trackingNumber}, which another shipment has`,
      false,
    );
  }
}

async function recordBooked(
  deps: ShipmentDeps,
  claimed: ShipmentRow,
  booking: CarrierBooking,
): Promise<BookingOutcome> {
  const now = deps.clock.now();
  let voided: ShipmentRow | undefined;
  const outcome = await transaction(deps.db, async (tx): Promise<BookingOutcome> => {
    const locked = await LockedShipments.lock(tx, claimed.order_id);
    const current = locked.get(claimed.id);
    if (!current) throw new Error(`shipment ${claimed.id} disappeared while booking`);
    if (isBooking(current.status)) {
      // The manual carrier hands out no tracking number: staff take it from here.
      const to = booking.trackingNumber ? 'label_created' : 'manual';
      await locked.transition(
        tx,
        current.id,
        to,
        {
          source: 'system',
          note: to === 'manual' ? 'Handed over by the store' : `Label created with ${current.carrier}`,
          changes: {
            tracking_number: booking.trackingNumber,
            label_url: booking.labelUrl,
            next_attempt_at: null,
            last_error: null,
          },
        },
        now,
      );
      return to === 'manual' ? 'manual' : 'booked';
    }
    // Cancelled while the carrier was booking: record the label it just created so it is voided.
    if (current.status === 'cancelled' && booking.trackingNumber && current.tracking_number === null) {
      const changes = {
        tracking_number: booking.trackingNumber,
        label_url: booking.labelUrl,
        cancel_state: 'pending' as const,
        cancel_next_at: now,
      };
      if (await repo.update(tx, current, changes, now)) voided = { ...current, ...changes };
    }
    return 'not_due';
  });
  if (outcome === 'booked' || outcome === 'manual')
    deps.metrics.bookings.inc({ carrier: claimed.carrier, result: 'booked' });
  kickCarrierCancels(deps, [voided]);
  return outcome;
}

/**
 * A failed try: `carrier_pending` with the next try after an exponential backoff with jitter; once
 * SHIPPING_CARRIER_MAX_ATTEMPTS are used (or the carrier does not exist), manual handling: the
 * shipment moves to the manual carrier, and its `status_changed → manual` is the ops notification.
 */
async function recordFailure(
  deps: ShipmentDeps,
  claimed: ShipmentRow,
  error: string,
  hopeless: boolean,
): Promise<BookingOutcome> {
  const now = deps.clock.now();
  const lastError = error.slice(0, 2000);
  const outcome = await transaction(deps.db, async (tx): Promise<BookingOutcome> => {
    const locked = await LockedShipments.lock(tx, claimed.order_id);
    const current = locked.get(claimed.id);
    if (!current || !isBooking(current.status)) return 'not_due';
    const step = hopeless ? ({ kind: 'give_up' } as const) : afterFailure(deps.retry, current.attempts, now);
    if (step.kind === 'give_up') {
      await locked.transition(
        tx,
        current.id,
        'manual',
        {
          source: 'system',
          note: `Carrier ${current.carrier} could not book the parcel: handle it manually`,
          changes: { carrier: 'manual', next_attempt_at: null, last_error: lastError },
        },
        now,
      );
      return 'manual';
    }
    await locked.transition(
      tx,
      current.id,
      'carrier_pending',
      {
        source: 'system',
        note: `Carrier ${current.carrier} unavailable; retrying`,
        changes: { next_attempt_at: step.at, last_error: lastError },
      },
      now,
    );
    return 'retry';
  });
  const log = {
    shipmentId: claimed.id,
    orderId: claimed.order_id,
    carrier: claimed.carrier,
    attempts: claimed.attempts,
    error: lastError,
  };
  if (outcome === 'manual') {
    deps.metrics.bookings.inc({ carrier: claimed.carrier, result: 'fallback' });
    deps.metrics.manualFallbacks.inc({ carrier: claimed.carrier });
    deps.logger.warn(log, 'carrier booking given up: shipment falls back to manual handling');
  } else if (outcome === 'retry') {
    deps.metrics.bookings.inc({ carrier: claimed.carrier, result: 'retry' });
    deps.logger.warn(log, 'carrier booking failed; retrying with backoff');
  }
  return outcome;
}
