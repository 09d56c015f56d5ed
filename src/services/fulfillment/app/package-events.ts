import type { Transaction } from 'kysely';
import { publish } from '../../../platform/eventing/index.js';
import type { FulfillmentRow, PackageRow } from '../data/fulfillment.repository.js';
import type { FulfillmentDB } from '../data/tables.js';
import type { PackageStatus } from '../domain/package-progress.js';

/**
 * `fulfillment.package_status_changed` (key: package id) in the caller's transaction. It carries
 * the carrier of the order's shipping method so shipping books the parcel with it; null when the
 * order named none (shipping then uses its default).
 */
export async function publishPackageStatus(
  tx: Transaction<FulfillmentDB>,
  fulfillment: FulfillmentRow,
  pkg: PackageRow,
  oldStatus: PackageStatus,
  newStatus: PackageStatus,
  now: Date,
): Promise<void> {
  await publish(tx, 'fulfillment.package_status_changed', pkg.id, {
    packageId: pkg.id,
    fulfillmentId: fulfillment.id,
    orderId: fulfillment.order_id,
    warehouseId: fulfillment.warehouse_id,
    oldStatus,
    newStatus,
    weightGrams: pkg.weight_grams,
    carrier: fulfillment.carrier,
    occurredAt: now.toISOString(),
  });
}
