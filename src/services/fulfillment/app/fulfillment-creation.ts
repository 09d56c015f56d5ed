import type { Transaction } from 'kysely';
import { publish } from '../../../platform/eventing/index.js';
import { newId } from '../../../platform/ids.js';
import { fulfillmentRepository as repo } from '../data/fulfillment.repository.js';
import type { FulfillmentDB, StockItem } from '../data/tables.js';
import { isActive } from '../domain/fulfillment-status.js';
import type { FulfillmentDeps } from './deps.js';
import { LockedOrders, statusChangedPayload } from './fulfillment-transition.js';

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
 * FUL-P0-01: one fulfillment per warehouse of the order's lines, `pending`, due within the SLA.
 * Idempotent: `ON CONFLICT (order_id, warehouse_id) DO NOTHING`, and only rows this call inserted
 * announce themselves (`oldStatus: null`), so a redelivered `confirmed` changes nothing.
 */
export async function createFulfillments(
  tx: Tx,
  deps: FulfillmentDeps,
  orderId: string,
  lines: readonly OrderLine[],
): Promise<number> {
  const now = deps.clock.now();
  const slaDueAt = new Date(now.getTime() + deps.slaHours * 3_600_000);
  const groups = [...byWarehouse(lines)].sort(([a], [b]) => a.localeCompare(b));
  const inserted = await repo.insertIfAbsent(
    tx,
    groups.map(([warehouseId, items]) => ({ id: newId(), orderId, warehouseId, items, slaDueAt })),
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

/** Cancels every fulfillment of the order that has not shipped (order cancelled); returns how many. */
export async function cancelOrderFulfillments(
  tx: Tx,
  deps: FulfillmentDeps,
  orderId: string,
): Promise<number> {
  const now = deps.clock.now();
  const locked = await LockedOrders.lock(tx, [orderId]);
  const open = locked.ofOrder(orderId).filter((r) => isActive(r.status));
  for (const row of open) await cancelLocked(tx, locked, row.id, now);
  return open.length;
}

/** Cancels one locked fulfillment: its packages too (shipping hears about ready ones), then its picklist. */
export async function cancelLocked(tx: Tx, locked: LockedOrders, id: string, now: Date) {
  const row = await locked.transition(tx, id, 'cancelled', now);
  const packages = await repo.movePackages(tx, id, ['open', 'packed', 'ready_to_ship'], 'cancelled', now);
  for (const p of packages)
    await publish(tx, 'fulfillment.package_status_changed', p.id, {
      packageId: p.id,
      fulfillmentId: id,
      orderId: row.order_id,
      warehouseId: row.warehouse_id,
      oldStatus: p.status,
      newStatus: 'cancelled',
      weightGrams: p.weight_grams,
      occurredAt: now.toISOString(),
    });
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
