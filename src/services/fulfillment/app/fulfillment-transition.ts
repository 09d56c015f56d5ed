import type { Transaction } from 'kysely';
import type { EventPayload } from '../../../contracts/index.js';
import { conflict } from '../../../platform/errors/app-error.js';
import { publish } from '../../../platform/eventing/index.js';
import { type FulfillmentRow, fulfillmentRepository as repo } from '../data/fulfillment.repository.js';
import type { FulfillmentDB } from '../data/tables.js';
import { allReached, assertTransition, type FulfillmentStatus } from '../domain/fulfillment-status.js';

type Tx = Transaction<FulfillmentDB>;

/** The `fulfillments.fulfillment.status_changed` payload (02-events.md) for a row after its change. */
export function statusChangedPayload(
  row: FulfillmentRow,
  oldStatus: FulfillmentStatus | null,
  orderRows: readonly FulfillmentRow[],
  at: Date,
): EventPayload<'fulfillments.fulfillment.status_changed'> {
  return {
    fulfillmentId: row.id,
    orderId: row.order_id,
    warehouseId: row.warehouse_id,
    oldStatus,
    newStatus: row.status,
    items: row.items.map((i) => ({ sku: i.sku, quantity: i.quantity })),
    allReachedStatus: allReached(
      orderRows.map((r) => r.status),
      row.status,
    ),
    occurredAt: at.toISOString(),
  };
}

/**
 * The fulfillments of some orders, locked for this transaction (`lockOrders`), kept current as
 * transitions apply, so `allReachedStatus` is computed on what commits: two fulfillments of one
 * order moving at once serialize on the lock and the second sees the first (FUL-P0-01).
 */
export class LockedOrders {
  private constructor(private readonly rows: Map<string, FulfillmentRow>) {}

  static async lock(tx: Tx, orderIds: readonly string[]): Promise<LockedOrders> {
    const unique = [...new Set(orderIds)];
    const rows = unique.length === 0 ? [] : await repo.lockOrders(tx, unique);
    return new LockedOrders(new Map(rows.map((r) => [r.id, r])));
  }

  get(id: string): FulfillmentRow | undefined {
    return this.rows.get(id);
  }

  ofOrder(orderId: string): FulfillmentRow[] {
    return [...this.rows.values()].filter((r) => r.order_id === orderId);
  }

  /**
   * THE way a fulfillment changes status: the matrix guard (FUL-P0-02, 409 invalid_transition),
   * a conditional UPDATE on the status seen under the lock, and the status event in the same
   * transaction (G3, FUL-P0-04).
   */
  async transition(
    tx: Tx,
    id: string,
    to: FulfillmentStatus,
    now: Date,
    picklistId?: string,
  ): Promise<FulfillmentRow> {
    const current = this.rows.get(id);
    if (!current) throw new Error(`fulfillment ${id} was not locked before its transition`);
    assertTransition(current.status, to);
    const updated = await repo.changeStatus(tx, id, current.status, to, now, picklistId);
    // The row is locked: only a writer outside these rules could have changed it.
    if (!updated) throw conflict(`Fulfillment ${id} changed concurrently`, 'concurrent_update');
    this.rows.set(id, updated);
    await publish(
      tx,
      'fulfillments.fulfillment.status_changed',
      updated.order_id,
      statusChangedPayload(updated, current.status, this.ofOrder(updated.order_id), now),
    );
    return updated;
  }
}
