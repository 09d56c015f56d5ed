import { sql } from 'kysely';
import type { JobDeclaration } from '../../../platform/eventing/index.js';
import { transaction } from '../../../platform/outbox/outbox.publisher.js';
import type { WarehouseDeps } from '../app/deps.js';
import { table } from '../data/sql.js';
import { stockRepository as stock } from '../data/stock.repository.js';

interface Drift {
  warehouse_id: string;
  sku: string;
  version: number;
  on_hand: number;
  reserved: number;
  live_reserved: number;
  ledger_on_hand: number;
}

/**
 * Hourly (WAREHOUSE_RECONCILIATION_CRON) check of every stock row, in keyset batches over
 * (warehouse_id, sku): `reserved` must equal the units of its live reservation items (unsettled
 * items of active|confirmed reservations: a warehouse that shipped or cancelled holds none), and
 * `on_hand` the sum of its ledger deltas (WH-P1-03). One statement per batch reads a consistent
 * snapshot of both.
 *
 * - reserved drift: reservations are the truth; `reserved` is set to their sum.
 * - on_hand drift: the row is what operators set and counted, so it stays; the unexplained
 *   difference is booked to the ledger so the audit trail adds up again.
 * Either way one ledger row (reason `reconciliation`) records it and `warehouse.stock.reconciled`
 * announces it, in one transaction that applies only if the row is unchanged since the snapshot
 * (`version`), so a concurrent change or an overlapping run never double-corrects.
 */
export function stockReconciliationJob(deps: WarehouseDeps, cron: string): JobDeclaration {
  return {
    name: 'stock-reconciliation',
    cron,
    maxStalenessSeconds: 3 * 3600,
    async handler(ctx) {
      let corrected = 0;
      let after: { warehouseId: string; sku: string } | undefined;
      for (;;) {
        const afterClause = after
          ? sql`WHERE (s.warehouse_id, s.sku) > (${after.warehouseId}::uuid, ${after.sku})`
          : sql``;
        const { rows } = await sql<Drift>`
          SELECT s.warehouse_id, s.sku, s.version, s.on_hand, s.reserved,
            COALESCE((
              SELECT sum(ri.quantity) FROM ${table('reservation_items')} AS ri
              JOIN ${table('reservations')} AS r ON r.id = ri.reservation_id
              WHERE ri.warehouse_id = s.warehouse_id AND ri.sku = s.sku AND ri.settled IS NULL
                AND r.status IN ('active', 'confirmed')
            ), 0)::int AS live_reserved,
            COALESCE((
              SELECT sum(l.delta_on_hand) FROM ${table('inventory_ledger')} AS l
              WHERE l.warehouse_id = s.warehouse_id AND l.sku = s.sku
            ), 0)::int AS ledger_on_hand
          FROM ${table('stock')} AS s ${afterClause}
          ORDER BY s.warehouse_id, s.sku
          LIMIT ${deps.jobBatchSize}`.execute(deps.db);
        for (const row of rows) {
          if (row.reserved === row.live_reserved && row.on_hand === row.ledger_on_hand) continue;
          if (await correct(deps, row, ctx.runId)) corrected++;
        }
        if (rows.length < deps.jobBatchSize || ctx.signal.aborted) break;
        const last = rows[rows.length - 1]!;
        after = { warehouseId: last.warehouse_id, sku: last.sku };
      }
      if (corrected > 0) ctx.logger.warn({ corrected, runId: ctx.runId }, 'stock drift corrected');
      return { items: corrected };
    },
  };
}

async function correct(deps: WarehouseDeps, row: Drift, runId: string): Promise<boolean> {
  return transaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const claimed = await tx
      .updateTable('stock')
      .set((eb) => ({ reserved: row.live_reserved, version: eb('version', '+', 1), updated_at: now }))
      .where('warehouse_id', '=', row.warehouse_id)
      .where('sku', '=', row.sku)
      .where('version', '=', row.version)
      .executeTakeFirst();
    if (claimed.numUpdatedRows === 0n) return false; // changed since the snapshot: next run re-checks it
    await stock.insertLedger(
      tx,
      [
        {
          warehouseId: row.warehouse_id,
          sku: row.sku,
          deltaOnHand: row.on_hand - row.ledger_on_hand,
          deltaReserved: row.live_reserved - row.reserved,
          reason: 'reconciliation',
          reference: `job-run:${runId}`,
          note: null,
          actor: 'system:stock-reconciliation',
        },
      ],
      now,
    );
    const occurredAt = now.toISOString();
    const base = { sku: row.sku, warehouseId: row.warehouse_id, occurredAt };
    if (row.reserved !== row.live_reserved)
      await tx.publish('warehouse.stock.reconciled', row.sku, {
        ...base,
        field: 'reserved',
        before: row.reserved,
        after: row.live_reserved,
      });
    if (row.on_hand !== row.ledger_on_hand)
      await tx.publish('warehouse.stock.reconciled', row.sku, {
        ...base,
        field: 'on_hand',
        before: row.ledger_on_hand,
        after: row.on_hand,
      });
    return true;
  });
}
