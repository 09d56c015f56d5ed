import type { Transaction } from 'kysely';
import { actorId, type Ctx } from '../../../platform/context.js';
import { AppError, conflict, notFound } from '../../../platform/errors/app-error.js';
import { encodeCursor } from '../../../platform/http/pagination.js';
import { newId } from '../../../platform/ids.js';
import { stockRepository as stock } from '../data/stock.repository.js';
import type { WarehouseDB } from '../data/tables.js';
import { warehouseRepository as repo, type Warehouse } from '../data/warehouse.repository.js';
import {
  type NewWarehouse,
  validateNewWarehouse,
  validateWarehouseChanges,
  type WarehouseChanges,
  type WarehouseStatus,
} from '../domain/warehouse.js';
import type { WarehouseDeps } from './deps.js';

export async function createWarehouse(
  ctx: Ctx,
  deps: WarehouseDeps,
  input: NewWarehouse,
): Promise<Warehouse> {
  const w = validateNewWarehouse(input);
  const created = await deps.db.transaction().execute((tx) => repo.insert(tx, newId(), w, deps.clock.now()));
  if (!created) throw conflict(`A warehouse with code ${w.code} already exists`, 'warehouse_code_taken');
  ctx.logger.info({ warehouseId: created.id, code: created.code, actor: actorId(ctx) }, 'warehouse created');
  return created;
}

export async function getWarehouse(deps: WarehouseDeps, id: string): Promise<Warehouse> {
  const w = await repo.find(deps.db, id);
  if (!w) throw notFound('Warehouse', id);
  return w;
}

export async function listWarehouses(
  deps: WarehouseDeps,
  query: { status?: WarehouseStatus | undefined; afterId?: string | undefined; limit: number },
): Promise<{ items: Warehouse[]; nextCursor: string | null }> {
  // One extra row says whether there is a next page without a count query.
  const rows = await repo.list(deps.db, {
    status: query.status,
    beforeId: query.afterId,
    limit: query.limit + 1,
  });
  const items = rows.slice(0, query.limit);
  return { items, nextCursor: rows.length > query.limit ? encodeCursor(items[items.length - 1]!.id) : null };
}

/** A warehouse holding reserved stock cannot go inactive: those units must ship or be released first. */
async function refuseIfReserved(tx: Transaction<WarehouseDB>, id: string): Promise<void> {
  if (await stock.hasReservedStock(tx, id))
    throw conflict(
      `Warehouse ${id} holds reserved stock; release or fulfil it first`,
      'warehouse_has_reserved_stock',
    );
}

export async function updateWarehouse(
  ctx: Ctx,
  deps: WarehouseDeps,
  id: string,
  input: WarehouseChanges,
): Promise<Warehouse> {
  const changes = validateWarehouseChanges(input);
  const updated = await deps.db.transaction().execute(async (tx) => {
    if (changes.status === 'inactive') await refuseIfReserved(tx, id);
    return repo.update(tx, id, changes, deps.clock.now());
  });
  if (!updated) throw notFound('Warehouse', id);
  ctx.logger.info(
    { warehouseId: id, fields: Object.keys(changes), actor: actorId(ctx) },
    'warehouse updated',
  );
  return updated;
}

/** DELETE deactivates (stock, ledger and reservations keep referring to it); idempotent. */
export async function deactivateWarehouse(ctx: Ctx, deps: WarehouseDeps, id: string): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    const w = await repo.find(tx, id);
    if (!w) throw notFound('Warehouse', id);
    if (w.status === 'inactive') return;
    await refuseIfReserved(tx, id);
    const updated = await repo.update(tx, id, { status: 'inactive' }, deps.clock.now());
    if (!updated)
      throw new AppError('internal', 'internal_error', `Warehouse ${id} vanished inside its transaction`);
  });
  ctx.logger.info({ warehouseId: id, actor: actorId(ctx) }, 'warehouse deactivated');
}
