import type { Transaction } from 'kysely';
import { conflict } from '../../../platform/errors/app-error.js';
import { publish } from '../../../platform/eventing/index.js';
import { newId } from '../../../platform/ids.js';
import {
  shipmentRepository as repo,
  type ShipmentChanges,
  type ShipmentRow,
} from '../data/shipment.repository.js';
import type { ShipmentEventSource, ShippingDB } from '../data/tables.js';
import { allDelivered, assertTransition, type ShipmentStatus } from '../domain/shipment-status.js';

type Tx = Transaction<ShippingDB>;

export interface TransitionInput {
  source: ShipmentEventSource;
  note: string | null;
  /** When it happened (a carrier's scan time); defaults to now. */
  at?: Date;
  changes?: ShipmentChanges;
}

/** The part of both shipping topics that describes the shipment (02-events.md). */
const shipmentFacts = (row: ShipmentRow, at: Date) => ({
  shipmentId: row.id,
  orderId: row.order_id,
  fulfillmentId: row.fulfillment_id,
  packageId: row.package_id,
  carrierCode: row.carrier,
  trackingNumber: row.tracking_number,
  version: row.version,
  occurredAt: at.toISOString(),
});

/** A new shipment's first history entry and its `null → created` event (version 1). */
export async function announceCreated(tx: Tx, row: ShipmentRow, now: Date): Promise<void> {
  await repo.insertEvent(
    tx,
    { id: newId(), shipmentId: row.id, status: row.status, note: null, source: 'system', occurredAt: now },
    now,
  );
  await publish(tx, 'shipping.shipment.status_changed', row.order_id, {
    ...shipmentFacts(row, now),
    oldStatus: null,
    newStatus: row.status,
  });
}

/**
 * The shipments of one order, locked for this transaction, kept current as transitions apply, so
 * `allShipmentsDelivered` is computed on what commits even when two parcels of one order are
 * delivered at once (the second waits for the lock and sees the first).
 */
export class LockedShipments {
  private constructor(private readonly rows: Map<string, ShipmentRow>) {}

  static async lock(tx: Tx, orderId: string): Promise<LockedShipments> {
    const rows = await repo.lockOrder(tx, orderId);
    return new LockedShipments(new Map(rows.map((r) => [r.id, r])));
  }

  get(id: string): ShipmentRow | undefined {
    return this.rows.get(id);
  }

  all(): ShipmentRow[] {
    return [...this.rows.values()];
  }

  /**
   * THE way a shipment changes status: the table's guard (409 invalid_transition), the
   * conditional UPDATE with version + 1, a history row, and `shipping.shipment.status_changed`
   * (plus `shipping.shipment.delivered` on delivery) in the caller's transaction (G3). A booking
   * retry (`carrier_pending → carrier_pending`) only records its bookkeeping.
   */
  async transition(
    tx: Tx,
    id: string,
    to: ShipmentStatus,
    input: TransitionInput,
    now: Date,
  ): Promise<ShipmentRow> {
    const current = this.rows.get(id);
    if (!current) throw new Error(`shipment ${id} was not locked before its transition`);
    assertTransition(current.status, to);
    const at = input.at ?? now;
    const changes: ShipmentChanges = {
      ...input.changes,
      ...(to === 'delivered' ? { delivered_at: at } : {}),
    };
    const updated = await repo.changeStatus(tx, current, to, changes, now);
    // The row is locked: only a writer outside these rules could have changed it.
    if (!updated) throw conflict(`Shipment ${id} changed concurrently`, 'concurrent_update');
    this.rows.set(id, updated);
    if (current.status === to) return updated;
    await repo.insertEvent(
      tx,
      { id: newId(), shipmentId: id, status: to, note: input.note, source: input.source, occurredAt: at },
      now,
    );
    await publish(tx, 'shipping.shipment.status_changed', updated.order_id, {
      ...shipmentFacts(updated, at),
      oldStatus: current.status,
      newStatus: to,
    });
    if (to === 'delivered')
      await publish(tx, 'shipping.shipment.delivered', updated.order_id, {
        ...shipmentFacts(updated, at),
        allShipmentsDelivered: allDelivered(this.all().map((r) => r.status)),
      });
    return updated;
  }
}
