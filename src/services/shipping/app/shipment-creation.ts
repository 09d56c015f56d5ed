import type { Transaction } from 'kysely';
import type { EventData } from '../../../contracts/index.js';
import { newId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logging/logger.js';
import { shipmentRepository as repo, type ShipmentRow } from '../data/shipment.repository.js';
import type { ShippingDB } from '../data/tables.js';
import { DEFAULT_CARRIER } from './deps.js';
import { cancelShipment } from './shipment-cancel.js';
import { announceCreated, LockedShipments } from './shipment-transition.js';

type Tx = Transaction<ShippingDB>;
type PackageEvent = EventData<'fulfillment.package_status_changed'>;

const newShipment = (p: PackageEvent, status: 'created' | 'cancelled', now: Date) => ({
  id: newId(),
  orderId: p.orderId,
  fulfillmentId: p.fulfillmentId,
  packageId: p.packageId,
  warehouseId: p.warehouseId,
  carrier: p.carrier ?? DEFAULT_CARRIER,
  status,
  weightGrams: p.weightGrams,
  nextAttemptAt: status === 'created' ? now : null,
});

/**
 * A package became ready_to_ship: its shipment, `created` and due for booking at once (SHIP-P0-01:
 * the carrier is called after this transaction). Idempotent on the package id; undefined when
 * the package already has one.
 */
export async function createForPackage(tx: Tx, p: PackageEvent, now: Date): Promise<ShipmentRow | undefined> {
  const row = await repo.insertIfAbsent(tx, newShipment(p, 'created', now), now);
  if (row) await announceCreated(tx, row, now);
  return row;
}

/**
 * A package was cancelled: its shipment is cancelled unless the carrier already has the parcel.
 * When the cancellation of a ready package overtook its ready_to_ship (a redelivery reordered
 * them: G6), a cancelled shipment without history is recorded, so the late ready_to_ship books
 * nothing. Returns the shipment it cancelled.
 */
export async function cancelForPackage(
  tx: Tx,
  p: PackageEvent,
  now: Date,
  logger: Logger,
): Promise<ShipmentRow | undefined> {
  const existing = await repo.findByPackage(tx, p.packageId);
  if (!existing) {
    if (p.oldStatus === 'ready_to_ship') await repo.insertIfAbsent(tx, newShipment(p, 'cancelled', now), now);
    return undefined;
  }
  const locked = await LockedShipments.lock(tx, existing.order_id);
  const cancelled = await cancelShipment(
    tx,
    locked,
    existing.id,
    { source: 'system', note: 'Package cancelled' },
    now,
  );
  if (!cancelled && locked.get(existing.id)?.status !== 'cancelled')
    logger.warn(
      { shipmentId: existing.id, packageId: p.packageId, status: locked.get(existing.id)?.status },
      'package cancelled after the carrier took it; the shipment is left as it is',
    );
  return cancelled;
}
