import type { Kysely } from 'kysely';
import type { FulfillmentRow, PackageRow } from '../data/fulfillment.repository.js';
import { fulfillmentRepository as repo } from '../data/fulfillment.repository.js';
import type { FulfillmentDB, PackageStatus, StockItem } from '../data/tables.js';
import type { FulfillmentStatus } from '../domain/fulfillment-status.js';

export interface PackageView {
  id: string;
  status: PackageStatus;
  weightGrams: number;
  lengthMm: number | null;
  widthMm: number | null;
  heightMm: number | null;
  shippedAt: string | null;
  deliveredAt: string | null;
}

export interface FulfillmentView {
  id: string;
  orderId: string;
  warehouseId: string;
  status: FulfillmentStatus;
  items: StockItem[];
  picklistId: string | null;
  packages: PackageView[];
  carrier: string | null;
  shippedAt: string | null;
  completedAt: string | null;
  slaDueAt: string;
  createdAt: string;
  updatedAt: string;
}

const packageView = (p: PackageRow): PackageView => ({
  id: p.id,
  status: p.status,
  weightGrams: p.weight_grams,
  lengthMm: p.length_mm,
  widthMm: p.width_mm,
  heightMm: p.height_mm,
  shippedAt: p.shipped_at?.toISOString() ?? null,
  deliveredAt: p.delivered_at?.toISOString() ?? null,
});

/** Views of fulfillment rows with their packages (one query for all of them, no N+1). */
export async function fulfillmentViews(
  db: Kysely<FulfillmentDB>,
  rows: readonly FulfillmentRow[],
): Promise<FulfillmentView[]> {
  const packages = await repo.packagesOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({
    id: r.id,
    orderId: r.order_id,
    warehouseId: r.warehouse_id,
    status: r.status,
    items: r.items.map((i) => ({ sku: i.sku, quantity: i.quantity })),
    picklistId: r.picklist_id,
    packages: packages.filter((p) => p.fulfillment_id === r.id).map(packageView),
    carrier: r.carrier,
    shippedAt: r.shipped_at?.toISOString() ?? null,
    completedAt: r.completed_at?.toISOString() ?? null,
    slaDueAt: r.sla_due_at.toISOString(),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  }));
}
