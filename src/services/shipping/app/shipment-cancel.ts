import type { Transaction } from 'kysely';
import type { ShipmentRow } from '../data/shipment.repository.js';
import type { ShippingDB } from '../data/tables.js';
import { isCancellable } from '../domain/shipment-status.js';
import { cancelAtCarrier } from './carrier-cancel.js';
import type { ShipmentDeps } from './deps.js';
import type { LockedShipments, TransitionInput } from './shipment-transition.js';

/** A shipment the carrier holds a label for: after cancelling ours, theirs must be voided too. */
const holdsLabel = (row: ShipmentRow): boolean => row.tracking_number !== null && row.carrier !== 'manual';

/**
 * Cancels a locked shipment that is not yet on the carrier's truck (created, carrier_pending,
 * label_created, manual); undefined when it is past that or already cancelled. A label the carrier
 * holds is voided after the commit (`cancel_state = pending`: a kick, then the booking job).
 */
export async function cancelShipment(
  tx: Transaction<ShippingDB>,
  locked: LockedShipments,
  id: string,
  input: Omit<TransitionInput, 'changes'>,
  now: Date,
): Promise<ShipmentRow | undefined> {
  const row = locked.get(id);
  if (!row || !isCancellable(row.status)) return undefined;
  return locked.transition(
    tx,
    id,
    'cancelled',
    {
      ...input,
      changes: {
        next_attempt_at: null,
        ...(holdsLabel(row) ? { cancel_state: 'pending', cancel_next_at: now } : {}),
      },
    },
    now,
  );
}

/** After the commit: voids the labels of the shipments just cancelled (the job retries what this misses). */
export function kickCarrierCancels(deps: ShipmentDeps, rows: readonly (ShipmentRow | undefined)[]): void {
  for (const row of rows)
    if (row?.cancel_state === 'pending')
      deps.kicks.kick(
        `carrier-cancel:${row.id}`,
        async () => (await cancelAtCarrier(deps, row.id)) !== 'missing',
      );
}
