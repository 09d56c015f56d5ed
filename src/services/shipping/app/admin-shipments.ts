import type { Ctx } from '../../../platform/context.js';
import { AppError, conflict, notFound, validationFailed } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import { decodeCursor, encodeCursor } from '../../../platform/http/pagination.js';
import { isUuid } from '../../../platform/ids.js';
import type { ShipmentView } from '../contract/client.js';
import {
  isUniqueViolation,
  shipmentRepository as repo,
  type ShipmentChanges,
  type ShipmentRow,
} from '../data/shipment.repository.js';
import { assertTransition, type ShipmentStatus } from '../domain/shipment-status.js';
import type { ShipmentDeps } from './deps.js';
import { bookShipment } from './shipment-booking.js';
import { cancelShipment, kickCarrierCancels } from './shipment-cancel.js';
import { LockedShipments } from './shipment-transition.js';
import { shipmentView, shipmentViews } from './shipment-view.js';

/** What staff see beside the public view: booking and cancellation bookkeeping. */
export type AdminShipmentView = ShipmentView & {
  warehouseId: string | null;
  labelUrl: string | null;
  weightGrams: number | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  carrierCancel: { state: string; attempts: number; lastError: string | null } | null;
};

const adminView = (row: ShipmentRow, view: ShipmentView): AdminShipmentView => ({
  ...view,
  warehouseId: row.warehouse_id,
  labelUrl: row.label_url,
  weightGrams: row.weight_grams,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
  lastError: row.last_error,
  carrierCancel: row.cancel_state
    ? { state: row.cancel_state, attempts: row.cancel_attempts, lastError: row.cancel_last_error }
    : null,
});

export interface ListQuery {
  orderId?: string | undefined;
  status?: ShipmentStatus | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** GET /admin/shipments: newest first, keyset on the id; each with its history. */
export async function listShipments(deps: ShipmentDeps, q: ListQuery) {
  const beforeId = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  if (q.cursor !== undefined && !beforeId)
    throw validationFailed('Invalid cursor', [{ path: 'cursor', message: 'not a cursor from this list' }]);
  const rows = await repo.list(deps.db, {
    orderId: q.orderId?.toLowerCase(),
    status: q.status,
    beforeId,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const views = await shipmentViews(deps.db, page);
  return {
    items: page.map((row, i) => adminView(row, views[i]!)),
    nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!.id) : null,
  };
}

export async function getShipment(deps: ShipmentDeps, rawId: string): Promise<AdminShipmentView> {
  const row = isUuid(rawId) ? await repo.find(deps.db, rawId.toLowerCase()) : undefined;
  if (!row) throw notFound('Shipment', rawId.slice(0, 64));
  return adminView(row, shipmentView(row, await repo.eventsOf(deps.db, [row.id])));
}

export interface StatusRequest {
  status: ShipmentStatus;
  note?: string | undefined;
  trackingNumber?: string | undefined;
}

const trackingTaken = (trackingNumber: string) =>
  conflict(`Tracking number ${trackingNumber} belongs to another manual shipment`, 'tracking_number_taken');

/**
 * POST /admin/shipments/{id}/status: staff move a shipment under the same table as carrier
 * updates, but a move outside it is refused (409 invalid_transition) instead of ignored. A
 * tracking number may be given for shipments of the manual carrier (the store's own courier),
 * unique per carrier (SHIP-P0-02: 409 tracking_number_taken). Moving to `manual` takes the
 * shipment off its carrier; `carrier_pending` books it again now; `cancelled` voids a label the
 * carrier holds.
 */
export async function updateShipmentStatus(
  ctx: Ctx,
  deps: ShipmentDeps,
  rawId: string,
  request: StatusRequest,
): Promise<AdminShipmentView> {
  if (!isUuid(rawId)) throw notFound('Shipment', rawId.slice(0, 64));
  const id = rawId.toLowerCase();
  const to = request.status;
  const note = request.note ?? null;
  const now = deps.clock.now();
  let row: ShipmentRow;
  try {
    row = await transaction(deps.db, async (tx) => {
      const seen = await repo.find(tx, id);
      if (!seen) throw notFound('Shipment', id);
      const locked = await LockedShipments.lock(tx, seen.order_id);
      const current = locked.get(id)!;
      assertTransition(current.status, to);
      const changes: ShipmentChanges = {};
      if (to === 'manual') Object.assign(changes, { carrier: 'manual', next_attempt_at: null });
      if (to === 'carrier_pending') changes.next_attempt_at = now;
      const tn = request.trackingNumber;
      if (tn !== undefined) {
        if ((changes.carrier ?? current.carrier) !== 'manual')
          throw new AppError(
            'conflict',
            'tracking_number_not_allowed',
            `Only manual shipments take a tracking number by hand; this one ships with ${current.carrier}`,
          );
        const holder = await repo.findByTracking(tx, 'manual', tn);
        if (holder && holder.id !== id) throw trackingTaken(tn);
        changes.tracking_number = tn;
      }
      const input = { source: 'admin' as const, note };
      if (to === 'cancelled') return (await cancelShipment(tx, locked, id, input, now))!;
      return locked.transition(tx, id, to, { ...input, changes }, now);
    });
  } catch (err) {
    // Two staff giving one number to two shipments at once: the constraint decides (SHIP-P0-02).
    if (isUniqueViolation(err) && request.trackingNumber) throw trackingTaken(request.trackingNumber);
    throw err;
  }
  ctx.logger.info({ shipmentId: id, status: row.status }, 'shipment status set by staff');
  kickCarrierCancels(deps, [row]);
  if (to === 'carrier_pending')
    deps.kicks.kick(`book:${id}`, async () => (await bookShipment(deps, id)) !== 'missing');
  return getShipment(deps, id);
}
