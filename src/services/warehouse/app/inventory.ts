import type { Transaction } from 'kysely';
import { actorId, type Ctx } from '../../../platform/context.js';
import { conflict, notFound } from '../../../platform/errors/app-error.js';
import { isUuid } from '../../../platform/ids.js';
import { transaction } from '../../../platform/outbox/outbox.publisher.js';
import { type StockRow, stockRepository as stock } from '../data/stock.repository.js';
import type { WarehouseDB } from '../data/tables.js';
import { warehouseRepository as warehouses } from '../data/warehouse.repository.js';
import { canonicalSku } from '../domain/stock.js';
import type { WarehouseDeps } from './deps.js';
import { changeStock, publishLowStock, StockRefused } from './stock-change.js';

type Tx = Transaction<WarehouseDB>;

export interface StockView {
  warehouseId: string;
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  lowStockThreshold: number | null;
}

export type StockWrite =
  | { onHand: number; lowStockThreshold?: number | null | undefined }
  | { delta: number; reason: string; lowStockThreshold?: number | null | undefined };

const view = (r: StockRow): StockView => ({
  warehouseId: r.warehouseId,
  sku: r.sku,
  onHand: r.onHand,
  reserved: r.reserved,
  available: r.onHand - r.reserved,
  lowStockThreshold: r.lowStockThreshold,
});

/** The skus the catalog knows, in canonical form (one catalog call). */
async function knownSkus(deps: WarehouseDeps, skus: readonly string[]): Promise<Set<string>> {
  const products = await deps.catalog.getProductsBySku([...new Set(skus)]);
  return new Set(products.map((p) => p.sku));
}

/** Absolute sets (admin set and import): ledgered with the delta from the value replaced. */
async function applySets(
  tx: Tx,
  deps: WarehouseDeps,
  targets: { warehouseId: string; sku: string; onHand: number }[],
  meta: { reason: 'set' | 'import'; reference: string; actor: string },
): Promise<StockRow[]> {
  const now = deps.clock.now();
  await stock.ensureRows(tx, targets, now);
  const rows = await stock.setOnHand(tx, targets, now);
  await stock.insertLedger(
    tx,
    rows.map((r) => ({ ...r, deltaOnHand: r.onHand - r.before, deltaReserved: 0, ...meta })),
    now,
  );
  await publishLowStock(
    tx,
    deps,
    rows.map((row) => ({ row, availableBefore: row.before - row.reserved })),
  );
  return rows;
}

/** PUT /admin/inventory/{warehouseId}/{sku}: `{onHand}` sets, `{delta, reason}` adjusts; both ledgered. */
export async function writeStock(
  ctx: Ctx,
  deps: WarehouseDeps,
  warehouseId: string,
  rawSku: string,
  input: StockWrite,
): Promise<StockView> {
  const sku = canonicalSku(rawSku);
  if (!(await knownSkus(deps, [sku])).has(sku)) throw notFound('Product with sku', sku);
  const row = await transaction(deps.db, async (tx) => {
    if (!(await warehouses.find(tx, warehouseId))) throw notFound('Warehouse', warehouseId);
    const actor = actorId(ctx);
    if (input.lowStockThreshold !== undefined) {
      await stock.ensureRows(tx, [{ warehouseId, sku }], deps.clock.now());
      await stock.setThreshold(tx, warehouseId, sku, input.lowStockThreshold);
    }
    if ('onHand' in input) {
      const [set] = await applySets(tx, deps, [{ warehouseId, sku, onHand: input.onHand }], {
        reason: 'set',
        reference: ctx.requestId,
        actor,
      });
      if (!set) {
        const current = await stock.find(tx, warehouseId, sku);
        throw conflict(`on hand ${input.onHand} is below the ${current?.reserved ?? 0} units reserved`);
      }
      return set;
    }
    await stock.ensureRows(tx, [{ warehouseId, sku }], deps.clock.now());
    try {
      const [adjusted] = await changeStock(
        tx,
        deps,
        [{ warehouseId, sku, deltaOnHand: input.delta, deltaReserved: 0 }],
        {
          reason: 'adjust',
          reference: ctx.requestId,
          note: input.reason,
          actor,
        },
      );
      return adjusted!;
    } catch (err) {
      if (!(err instanceof StockRefused)) throw err;
      const current = await stock.find(tx, warehouseId, sku);
      throw conflict(
        `Adjusting by ${input.delta} would leave on hand ${(current?.onHand ?? 0) + input.delta} below 0 or below the ${current?.reserved ?? 0} units reserved`,
      );
    }
  });
  ctx.logger.info({ warehouseId, sku, onHand: row.onHand, actor: actorId(ctx) }, 'stock written');
  return view(row);
}

export interface ImportRow {
  warehouseId?: string | undefined;
  warehouseCode?: string | undefined;
  sku: string;
  onHand: number;
}

export type ImportResult =
  | { index: number; status: 'ok'; warehouseId: string; sku: string; onHand: number; reserved: number }
  | { index: number; status: 'error'; sku: string; code: string; message: string };

/**
 * POST /admin/inventory/import: sets on hand for many (warehouse, sku) rows with a result per
 * row. Warehouses and skus are resolved in one query each; the valid rows are written in one
 * transaction with batched statements; a bad row is reported and does not stop the others.
 */
export async function importStock(
  ctx: Ctx,
  deps: WarehouseDeps,
  rows: readonly ImportRow[],
): Promise<{ results: ImportResult[]; succeeded: number; failed: number }> {
  const skus = rows.map((r) => canonicalSku(r.sku));
  const ids = rows.flatMap((r) =>
    r.warehouseId && isUuid(r.warehouseId) ? [r.warehouseId.toLowerCase()] : [],
  );
  const codes = rows.flatMap((r) => (r.warehouseCode ? [r.warehouseCode.trim().toUpperCase()] : []));
  const [known, refs] = await Promise.all([knownSkus(deps, skus), warehouses.findRefs(deps.db, ids, codes)]);
  const byId = new Map(refs.map((w) => [w.id, w.id]));
  const byCode = new Map(refs.map((w) => [w.code, w.id]));

  const results: (ImportResult | undefined)[] = new Array(rows.length);
  const targets: { index: number; warehouseId: string; sku: string; onHand: number }[] = [];
  const seen = new Set<string>();
  /** Why a row cannot be written, or where it goes. */
  const resolve = (row: ImportRow, sku: string): { error: [string, string] } | { warehouseId: string } => {
    const warehouseId = row.warehouseId
      ? byId.get(row.warehouseId.toLowerCase())
      : byCode.get((row.warehouseCode ?? '').trim().toUpperCase());
    if (!warehouseId)
      return { error: ['not_found', `unknown warehouse ${row.warehouseId ?? row.warehouseCode}`] };
    if (!known.has(sku)) return { error: ['not_found', `unknown sku ${sku}`] };
    if (seen.has(`${warehouseId} ${sku}`))
      return { error: ['validation_failed', 'the same warehouse and sku appear earlier in this import'] };
    return { warehouseId };
  };
  rows.forEach((row, index) => {
    const sku = skus[index]!;
    const outcome = resolve(row, sku);
    if ('error' in outcome) {
      const [code, message] = outcome.error;
      results[index] = { index, status: 'error', sku, code, message };
    } else {
      seen.add(`${outcome.warehouseId} ${sku}`);
      targets.push({ index, warehouseId: outcome.warehouseId, sku, onHand: row.onHand });
    }
  });

  const written = await transaction(deps.db, (tx) =>
    applySets(tx, deps, targets, { reason: 'import', reference: ctx.requestId, actor: actorId(ctx) }),
  );
  const byPair = new Map(written.map((r) => [`${r.warehouseId} ${r.sku}`, r]));
  for (const t of targets) {
    const r = byPair.get(`${t.warehouseId} ${t.sku}`);
    results[t.index] = r
      ? {
          index: t.index,
          status: 'ok',
          warehouseId: t.warehouseId,
          sku: t.sku,
          onHand: r.onHand,
          reserved: r.reserved,
        }
      : {
          index: t.index,
          status: 'error',
          sku: t.sku,
          code: 'conflict',
          message: `on hand ${t.onHand} is below the units reserved`,
        };
  }
  const final = results as ImportResult[];
  const succeeded = final.filter((r) => r.status === 'ok').length;
  ctx.logger.info({ rows: rows.length, succeeded, actor: actorId(ctx) }, 'stock imported');
  return { results: final, succeeded, failed: rows.length - succeeded };
}

/** GET /admin/inventory/{sku}: per warehouse on hand, reserved and available. */
export async function stockBySku(deps: WarehouseDeps, rawSku: string) {
  const sku = canonicalSku(rawSku);
  if (!(await knownSkus(deps, [sku])).has(sku)) throw notFound('Product with sku', sku);
  const rows = await stock.listBySku(deps.db, sku);
  return {
    sku,
    items: rows.map((r) => ({
      warehouseId: r.warehouse_id,
      warehouseCode: r.code,
      warehouseStatus: r.status,
      onHand: r.on_hand,
      reserved: r.reserved,
      available: r.on_hand - r.reserved,
      lowStockThreshold: r.low_stock_threshold,
    })),
  };
}
