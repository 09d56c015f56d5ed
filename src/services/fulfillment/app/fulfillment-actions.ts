import { actorId, type Ctx } from '../../../platform/context.js';
import { AppError, notFound, validationFailed } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import { decodeCursor, encodeCursor } from '../../../platform/http/pagination.js';
import { isUuid, newId } from '../../../platform/ids.js';
import { type FulfillmentRow, fulfillmentRepository as repo } from '../data/fulfillment.repository.js';
import type { FulfillmentStatus } from '../domain/fulfillment-status.js';
import type { FulfillmentDeps } from './deps.js';
import { cancelLocked, settlePicklist } from './fulfillment-creation.js';
import { LockedOrders } from './fulfillment-transition.js';
import { type FulfillmentView, fulfillmentViews } from './fulfillment-view.js';
import { publishPackageStatus } from './package-events.js';

export interface ListQuery {
  orderId?: string | undefined;
  status?: FulfillmentStatus | undefined;
  warehouseId?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** `GET /admin/fulfillments`: newest first, keyset on the id. */
export async function listFulfillments(deps: FulfillmentDeps, q: ListQuery) {
  const beforeId = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  if (q.cursor !== undefined && !beforeId)
    throw validationFailed('Invalid cursor', [{ path: 'cursor', message: 'not a cursor from this list' }]);
  const rows = await repo.list(deps.db, { ...q, beforeId, limit: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  return {
    items: await fulfillmentViews(deps.db, page),
    nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!.id) : null,
  };
}

export interface PicklistView {
  id: string;
  status: string;
  fulfillmentIds: string[];
  createdAt: string;
}

/**
 * FUL-P0-05: one transaction creates the picklist and moves every named fulfillment from
 * `pending` to `picking` (each with its status event), or nothing at all: unknown ids → 404,
 * any not pending → 409 `fulfillments_not_pending` naming them.
 */
export async function createPicklist(
  ctx: Ctx,
  deps: FulfillmentDeps,
  ids: readonly string[],
): Promise<PicklistView> {
  const wanted = [...new Set(ids.map((i) => i.toLowerCase()))].sort();
  const now = deps.clock.now();
  const id = newId();
  await transaction(deps.db, async (tx) => {
    const found = await repo.findMany(tx, wanted);
    const missing = wanted.filter((w) => !found.some((f) => f.id === w));
    if (missing.length > 0) throw notFound('fulfillment', missing.join(', '));
    // Locked before the check: a concurrent picklist naming the same fulfillment waits, then sees picking.
    const locked = await LockedOrders.lock(
      tx,
      found.map((f) => f.order_id),
    );
    const notPending = wanted.filter((w) => locked.get(w)?.status !== 'pending');
    if (notPending.length > 0)
      throw new AppError(
        'conflict',
        'fulfillments_not_pending',
        `Only pending fulfillments can be picked; not pending: ${notPending.join(', ')}`,
      );
    await tx
      .insertInto('picklists')
      .values({ id, status: 'picking', created_by: actorId(ctx), created_at: now, updated_at: now })
      .execute();
    await tx
      .insertInto('picklist_items')
      .values(wanted.map((f) => ({ picklist_id: id, fulfillment_id: f })))
      .execute();
    for (const f of wanted) await locked.transition(tx, f, 'picking', now, id);
  });
  ctx.logger.info({ picklistId: id, fulfillments: wanted.length }, 'picklist created');
  return { id, status: 'picking', fulfillmentIds: wanted, createdAt: now.toISOString() };
}

export interface PackageInput {
  weightGrams: number;
  lengthMm?: number | undefined;
  widthMm?: number | undefined;
  heightMm?: number | undefined;
}

type Action =
  | { kind: 'pick' }
  | { kind: 'pack'; packages: readonly PackageInput[] }
  | { kind: 'ready' }
  | { kind: 'cancel' };

/** `POST /admin/fulfillments/{id}/pick|pack|ready|cancel`: one transaction per call. */
export async function applyAction(
  ctx: Ctx,
  deps: FulfillmentDeps,
  rawId: string,
  action: Action,
): Promise<FulfillmentView> {
  if (!isUuid(rawId)) throw notFound('fulfillment', rawId);
  // Ids are stored lowercase; the locked rows are keyed by them.
  const id = rawId.toLowerCase();
  const row = await transaction(deps.db, async (tx) => {
    const seen = await repo.find(tx, id);
    if (!seen) throw notFound('fulfillment', id);
    const locked = await LockedOrders.lock(tx, [seen.order_id]);
    const now = deps.clock.now();
    let out: FulfillmentRow;
    switch (action.kind) {
      case 'pick':
        out = await locked.transition(tx, id, 'picked', now);
        if (out.picklist_id) await settlePicklist(tx, out.picklist_id, now);
        return out;
      case 'pack':
        // picked → packing → packed in one go: both moves are announced, the packages stored.
        await locked.transition(tx, id, 'packing', now);
        await repo.insertPackages(
          tx,
          id,
          action.packages.map((p) => ({
            id: newId(),
            weightGrams: p.weightGrams,
            lengthMm: p.lengthMm ?? null,
            widthMm: p.widthMm ?? null,
            heightMm: p.heightMm ?? null,
          })),
          now,
        );
        return locked.transition(tx, id, 'packed', now);
      case 'ready': {
        out = await locked.transition(tx, id, 'ready_to_ship', now);
        // Shipping creates a shipment per ready package (02-events.md).
        const packages = await repo.movePackages(tx, id, ['packed'], 'ready_to_ship', now);
        for (const p of packages) await publishPackageStatus(tx, out, p, p.status, 'ready_to_ship', now);
        return out;
      }
      case 'cancel':
        return cancelLocked(tx, locked, id, now);
    }
  });
  ctx.logger.info({ fulfillmentId: id, action: action.kind, status: row.status }, 'fulfillment changed');
  const [view] = await fulfillmentViews(deps.db, [row]);
  return view!;
}
