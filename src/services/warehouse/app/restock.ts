import { actorId, type Ctx } from '../../../platform/context.js';
import { AppError, conflict, type FieldError, validationFailed } from '../../../platform/errors/app-error.js';
import { isUuid } from '../../../platform/ids.js';
import { transaction } from '../../../platform/outbox/outbox.publisher.js';
import type { RestockRequest } from '../contract/client.js';
import { stockRepository as stock } from '../data/stock.repository.js';
import type { RestockItem } from '../data/tables.js';
import { warehouseRepository as warehouses } from '../data/warehouse.repository.js';
import { canonicalSku, MAX_STOCK_UNITS } from '../domain/stock.js';
import type { WarehouseDeps } from './deps.js';
import { changeStock } from './stock-change.js';

const MAX_ITEMS = 500;

/** Validated, canonical and merged per (warehouse, sku), in a stable order (compared on replay). */
function validate(request: RestockRequest): { reference: string; items: RestockItem[] } {
  const errors: FieldError[] = [];
  const reference = typeof request.reference === 'string' ? request.reference.trim() : '';
  if (reference.length < 1 || reference.length > 200)
    errors.push({ path: 'reference', message: 'must be 1-200 characters' });
  if (!Array.isArray(request.items) || request.items.length < 1 || request.items.length > MAX_ITEMS)
    errors.push({ path: 'items', message: `must hold 1-${MAX_ITEMS} items` });
  (request.items ?? []).forEach((item, i) => {
    if (!isUuid(item.warehouseId ?? ''))
      errors.push({
        path: `items.${i}.warehouseId`,
        message: 'must be the UUID of the warehouse it shipped from',
      });
    if (typeof item.sku !== 'string' || canonicalSku(item.sku).length === 0)
      errors.push({ path: `items.${i}.sku`, message: 'is required' });
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_STOCK_UNITS)
      errors.push({ path: `items.${i}.quantity`, message: 'must be a positive integer' });
  });
  if (errors.length > 0) throw validationFailed('The restock request is not valid.', errors);
  const merged = new Map<string, RestockItem>();
  for (const i of request.items) {
    const item = { warehouseId: i.warehouseId.toLowerCase(), sku: canonicalSku(i.sku), quantity: i.quantity };
    const key = `${item.warehouseId} ${item.sku}`;
    const seen = merged.get(key);
    if (seen) seen.quantity += item.quantity;
    else merged.set(key, item);
  }
  const items = [...merged.values()].sort(
    (a, b) => a.warehouseId.localeCompare(b.warehouseId) || a.sku.localeCompare(b.sku),
  );
  return { reference, items };
}

const sameItems = (a: readonly RestockItem[], b: readonly RestockItem[]) =>
  a.length === b.length &&
  a.every(
    (x, i) => x.warehouseId === b[i]!.warehouseId && x.sku === b[i]!.sku && x.quantity === b[i]!.quantity,
  );

/**
 * Returned goods back on hand (orders' returns, 04-services.md "restock to the warehouse the item
 * shipped from — never a default fallback"): each item to the warehouse it names, which must
 * exist (422 `unknown_warehouse` otherwise). Idempotent per `reference` (a return id): the
 * `restocks` row is inserted in the transaction of the stock change, so a repeat — also a
 * concurrent one, which waits on the key — changes nothing; the same reference with other goods is
 * 409 `restock_reference_reused`. Ledger reason `restock` (WH-P1-03).
 */
export async function restock(ctx: Ctx, deps: WarehouseDeps, request: RestockRequest): Promise<void> {
  const { reference, items } = validate(request);
  const actor = actorId(ctx);
  const applied = await transaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const inserted = await tx
      .insertInto('restocks')
      .values({ reference, items: JSON.stringify(items), actor, created_at: now })
      .onConflict((oc) => oc.column('reference').doNothing())
      .returning('reference')
      .executeTakeFirst();
    if (!inserted) {
      const stored = await tx
        .selectFrom('restocks')
        .select('items')
        .where('reference', '=', reference)
        .executeTakeFirstOrThrow();
      if (!sameItems(stored.items, items))
        throw conflict(
          `Restock ${reference} was already applied with other items`,
          'restock_reference_reused',
        );
      return false;
    }
    const ids = [...new Set(items.map((i) => i.warehouseId))];
    const known = new Set((await warehouses.findRefs(tx, ids, [])).map((w) => w.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0)
      throw new AppError('unprocessable', 'unknown_warehouse', `Unknown warehouse ${unknown.join(', ')}`, {
        fields: request.items.flatMap((item, i) =>
          unknown.includes(item.warehouseId.toLowerCase())
            ? [{ path: `items.${i}.warehouseId`, message: 'unknown warehouse' }]
            : [],
        ),
      });
    await stock.ensureRows(tx, items, now);
    await changeStock(
      tx,
      deps,
      items.map((i) => ({
        warehouseId: i.warehouseId,
        sku: i.sku,
        deltaOnHand: i.quantity,
        deltaReserved: 0,
      })),
      { reason: 'restock', reference, note: null, actor },
    );
    return true;
  });
  if (applied) ctx.logger.info({ reference, items: items.length, actor }, 'returned goods restocked');
}
