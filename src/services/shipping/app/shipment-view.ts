import type { Kysely } from 'kysely';
import type { ShipmentEventView, ShipmentView } from '../contract/client.js';
import {
  shipmentRepository as repo,
  type ShipmentEventRow,
  type ShipmentRow,
} from '../data/shipment.repository.js';
import type { ShippingDB } from '../data/tables.js';

const eventView = (e: ShipmentEventRow): ShipmentEventView => ({
  status: e.status,
  note: e.note,
  source: e.source,
  occurredAt: e.occurred_at.toISOString(),
});

export const shipmentView = (row: ShipmentRow, events: readonly ShipmentEventRow[]): ShipmentView => ({
  id: row.id,
  orderId: row.order_id,
  fulfillmentId: row.fulfillment_id,
  packageId: row.package_id,
  carrier: row.carrier,
  trackingNumber: row.tracking_number,
  status: row.status,
  version: row.version,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  deliveredAt: row.delivered_at?.toISOString() ?? null,
  events: events.map(eventView),
});

/** Views with their histories: one query for the events of all the rows. */
export async function shipmentViews(
  db: Kysely<ShippingDB>,
  rows: readonly ShipmentRow[],
): Promise<ShipmentView[]> {
  const events = await repo.eventsOf(
    db,
    rows.map((r) => r.id),
  );
  const byShipment = new Map<string, ShipmentEventRow[]>();
  for (const e of events) byShipment.set(e.shipment_id, [...(byShipment.get(e.shipment_id) ?? []), e]);
  return rows.map((r) => shipmentView(r, byShipment.get(r.id) ?? []));
}
