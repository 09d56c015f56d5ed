import type { Transaction } from 'kysely';
import { conflict } from '../../../platform/errors/app-error.js';
import { publish } from '../../../platform/eventing/index.js';
import { newId } from '../../../platform/ids.js';
import { fulfillmentRepository as repo } from '../data/fulfillment.repository.js';
import type { FulfillmentDB, StockItem } from '../data/tables.js';
import { isActive } from '../domain/fulfillment-status.js';
import type { FulfillmentDeps } from './deps.js';
import { LockedOrders, statusChangedPayload } from './fulfillment-transition.js';
import { publishPackageStatus } from './package-events.js';

type Tx = Transaction<FulfillmentDB>;

export interface OrderLine {
  sku: string;
  quantity: number;
  warehouseId: string;
}

/** Groups an order's lines by warehouse, summing a sku allocated twice to one warehouse. */
export function byWarehouse(lines: readonly OrderLine[]): Map<string, StockItem[]> {
  const out = new Map<string, Map<string, number>>();
  for (const l of lines) {
    const skus = out.get(l.warehouseId) ?? new Map<string, number>();
    skus.set(l.sku, (skus.get(l.sku) ?? 0) + l.quantity);
    out.set(l.warehouseId, skus);
  }
  return new Map([...out].map(([w, skus]) => [w, [...skus].map(([sku, quantity]) => ({ sku, quantity }))]));
}

/**
 * FUL-P0-01: one fulfillment per warehouse of the order's lines, `pending`, due within the SLA,
 * remembering the carrier of the order's shipping method for its packages.
 * Idempotent: `ON CONFLICT (order_id, warehouse_id) DO NOTHING`, and only rows this call inserted
 * announce themselves (`oldStatus: null`), so a redelivered `confirmed` changes nothing.
 */
export async function createFulfillments(
  tx: Tx,
  deps: FulfillmentDeps,
  orderId: string,
  lines: readonly OrderLine[],
  carrier: string | null,
): Promise<number> {
  const now = deps.clock.now();
  const slaDueAt = new Date(now.getTime() + deps.slaHours * 3_600_000);
  const groups = [...byWarehouse(lines)].sort(([a], [b]) => a.localeCompare(b));
  const inserted = await repo.insertIfAbsent(
    tx,
    groups.map(([warehouseId, items]) => ({ id: newId(), orderId, warehouseId, items, slaDueAt, carrier })),
    now,
  );
  if (inserted.length === 0) return 0;
  const all = (await LockedOrders.lock(tx, [orderId])).ofOrder(orderId);
  for (const row of inserted)
    await publish(
      tx,
      'fulfillments.fulfillment.status_changed',
      orderId,
      statusChangedPayload(row, null, all, now),
    );
  return inserted.length;
}

/**
 * Order cancelled: cancels every fulfillment of the order that has not shipped. One with a package
 * already with the carrier is kept (and returned): its goods left, so its stock must not come back.
 */
export async function cancelOrderFulfillments(
  tx: Tx,
  deps: FulfillmentDeps,
  orderId: string,
): Promise<{ cancelled: number; partiallyShipped: string[] }> {
  const now = deps.clock.now();
  const locked = await LockedOrders.lock(tx, [orderId]);
  const open = locked.ofOrder(orderId).filter((r) => isActive(r.status));
  const partiallyShipped: string[] = [];
  let cancelled = 0;
  for (const row of open) {
    if (await hasShippedPackage(tx, row.id)) partiallyShipped.push(row.id);
    else {
      await cancelLocked(tx, locked, row.id, now);
      cancelled++;
    }
  }
  return { cancelled, partiallyShipped };
}

/** Whether a package of the fulfillment is with the carrier (locks its packages). */
async function hasShippedPackage(tx: Tx, fulfillmentId: string): Promise<boolean> {
  return (await repo.lockPackages(tx, fulfillmentId)).some((p) => p.status === 'shipped');
}

/**
 * Cancels one locked fulfillment: its packages too (shipping hears about ready ones), then its
 * picklist. Refused (409 `fulfillment_partially_shipped`) once one of its packages is with the
 * carrier: cancelling would give that warehouse's stock back although it left (WH-P0-02).
 */
export async function cancelLocked(tx: Tx, locked: LockedOrders, id: string, now: Date) {
  const current = locked.get(id);
  if (current && isActive(current.status) && (await hasShippedPackage(tx, id)))
    throw conflict(
      `Fulfillment ${id} has a package with the carrier already and cannot be cancelled`,
      'fulfillment_partially_shipped',
    );
  const row = await locked.transition(tx, id, 'cancelled', now);
  const packages = await repo.movePackages(tx, id, ['open', 'packed', 'ready_to_ship'], 'cancelled', now);
  for (const p of packages) await publishPackageStatus(tx, row, p, p.status, 'cancelled', now);
  if (row.picklist_id) await settlePicklist(tx, row.picklist_id, now);
  return row;
}

/**
 * A picklist is `picking` while any of its fulfillments is; then `cancelled` when all were
 * cancelled, otherwise `picked`. Conditional on `picking`, so it settles once.
 */
export async function settlePicklist(tx: Tx, picklistId: string, now: Date): Promise<void> {
  const statuses = await tx
    .selectFrom('picklist_items')
    .innerJoin('fulfillments', 'fulfillments.id', 'picklist_items.fulfillment_id')
    .select('fulfillments.status')
    .where('picklist_items.picklist_id', '=', picklistId)
    .execute();
  if (statuses.some((s) => s.status === 'picking')) return;
  const to = statuses.every((s) => s.status === 'cancelled') ? 'cancelled' : 'picked';
  await tx
    .updateTable('picklists')
    .set({ status: to, updated_at: now })
    .where('id', '=', picklistId)
    .where('status', '=', 'picking')
    .execute();
}
