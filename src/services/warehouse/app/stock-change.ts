import type { Transaction } from 'kysely';
import { publish } from '../../../platform/outbox/outbox.publisher.js';
import {
  type LedgerEntry,
  mergeDeltas,
  type StockDelta,
  type StockRow,
  stockRepository as stock,
} from '../data/stock.repository.js';
import type { WarehouseDB } from '../data/tables.js';
import { crossedLowStock } from '../domain/stock.js';
import type { WarehouseDeps } from './deps.js';

type Tx = Transaction<WarehouseDB>;

/** A conditional stock update changed fewer rows than asked: a lost race or a refused change. */
export class StockRefused extends Error {
  constructor(readonly refused: StockDelta[]) {
    super(`stock change refused for ${refused.map((d) => `${d.warehouseId}/${d.sku}`).join(', ')}`);
    this.name = 'StockRefused';
  }
}

type LedgerMeta = Pick<LedgerEntry, 'reason' | 'reference' | 'note' | 'actor'>;

/**
 * The one way quantities change (G1, WH-P0-01, WH-P1-03): the ledger rows, then the atomic
 * conditional update — last, so the hot stock rows stay locked for as short a time as possible —
 * then a low-stock event for every row that crossed its threshold. Throws `StockRefused` (and the
 * caller's transaction rolls back, ledger included) unless every delta applied.
 */
export async function changeStock(
  tx: Tx,
  deps: WarehouseDeps,
  deltas: readonly StockDelta[],
  meta: LedgerMeta,
): Promise<StockRow[]> {
  const merged = mergeDeltas(deltas);
  const now = deps.clock.now();
  await stock.insertLedger(
    tx,
    merged.map((d) => ({ ...d, ...meta })),
    now,
  );
  const rows = await stock.applyStockDeltas(tx, merged, now);
  if (rows.length !== merged.length) {
    const changed = new Set(rows.map((r) => `${r.warehouseId} ${r.sku}`));
    throw new StockRefused(merged.filter((d) => !changed.has(`${d.warehouseId} ${d.sku}`)));
  }
  const byPair = new Map(merged.map((d) => [`${d.warehouseId} ${d.sku}`, d]));
  await publishLowStock(
    tx,
    deps,
    rows.map((row) => {
      const d = byPair.get(`${row.warehouseId} ${row.sku}`)!;
      return { row, availableBefore: row.onHand - d.deltaOnHand - (row.reserved - d.deltaReserved) };
    }),
  );
  return rows;
}

/** WH-P1-02: one `warehouse.stock.low` per downward crossing, in the transaction of the change. */
export async function publishLowStock(
  tx: Tx,
  deps: WarehouseDeps,
  changes: readonly { row: StockRow; availableBefore: number }[],
): Promise<void> {
  const occurredAt = deps.clock.now().toISOString();
  for (const { row, availableBefore } of changes) {
    const threshold = row.lowStockThreshold ?? deps.lowStockThreshold;
    const available = row.onHand - row.reserved;
    if (!crossedLowStock(availableBefore, available, threshold)) continue;
    await publish(tx, 'warehouse.stock.low', row.sku, {
      sku: row.sku,
      warehouseId: row.warehouseId,
      available,
      threshold,
      occurredAt,
    });
  }
}

/** Lost races PostgreSQL reports as errors rather than as a missing row: retry like one. */
export const isRetryableConflict = (err: unknown): boolean =>
  err instanceof StockRefused ||
  (typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    (err.code === '40001' || err.code === '40P01')); // serialization_failure, deadlock_detected
