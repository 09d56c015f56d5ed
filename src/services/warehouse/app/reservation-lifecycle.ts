import type { Transaction } from 'kysely';
import { actorId, type Ctx } from '../../../platform/context.js';
import { AppError, conflict, notFound } from '../../../platform/errors/app-error.js';
import { isUuid } from '../../../platform/ids.js';
import { transaction } from '../../../platform/outbox/outbox.publisher.js';
import type { ReservationStatus } from '../contract/client.js';
import {
  type Reservation,
  reservationRepository as reservations,
  type SettledItem,
} from '../data/reservation.repository.js';
import { type StockDelta, stockRepository as stock } from '../data/stock.repository.js';
import type { LedgerReason, WarehouseDB } from '../data/tables.js';
import { mergeDemands } from '../domain/allocation.js';
import { sourcesOf } from '../domain/reservation-status.js';
import type { WarehouseDeps } from './deps.js';
import { changeStock, StockRefused } from './stock-change.js';

/**
 * Reservation status changes (spec 02-events.md "Reservation status"). Each is one transaction:
 * a guarded status update (`WHERE status IN (…)`, so of two concurrent callers exactly one moves
 * it) and, when it moved, the stock, capacity and ledger changes that go with it.
 */
type Tx = Transaction<WarehouseDB>;

const invalid = (r: Reservation, to: ReservationStatus): AppError =>
  new AppError(
    'conflict',
    'invalid_transition',
    `Reservation ${r.id} is ${r.status} and cannot become ${to}`,
  );

async function load(tx: Tx, id: string): Promise<Reservation> {
  const r = isUuid(id) ? await reservations.find(tx, { id }) : undefined;
  if (!r) throw notFound('Reservation', id);
  return r;
}

/**
 * Applies a settlement's stock change. Only drift (reserved lower than the live items hold)
 * refuses it; reconciliation fixes that, so it is reported as such rather than retried blindly.
 */
async function applySettlement(
  tx: Tx,
  deps: WarehouseDeps,
  r: Pick<Reservation, 'id'>,
  deltas: StockDelta[],
  meta: { reason: LedgerReason; actor: string; note: string | null },
): Promise<void> {
  try {
    await changeStock(tx, deps, deltas, { ...meta, reference: r.id });
  } catch (err) {
    if (err instanceof StockRefused)
      throw new AppError(
        'internal',
        'stock_drift',
        `Reservation ${r.id}: ${err.message}; run stock-reconciliation`,
        { cause: err },
      );
    throw err;
  }
}

/** Released items: their units back to available and their capacity back to its day. */
export async function giveBack(
  tx: Tx,
  deps: WarehouseDeps,
  r: Pick<Reservation, 'id' | 'capacityDay'>,
  items: readonly SettledItem[],
  reason: LedgerReason,
  actor: string,
  note: string | null,
): Promise<void> {
  await applySettlement(
    tx,
    deps,
    r,
    items.map((a) => ({
      warehouseId: a.warehouseId,
      sku: a.sku,
      deltaOnHand: 0,
      deltaReserved: -a.quantity,
    })),
    { reason, actor, note },
  );
  await stock.returnCapacity(tx, r.capacityDay, items);
}

/** WH-P0-02: shipped items leave on_hand and reserved together, once (their items are settled). */
export async function deduct(
  tx: Tx,
  deps: WarehouseDeps,
  r: Pick<Reservation, 'id'>,
  items: readonly SettledItem[],
  actor: string,
): Promise<void> {
  await applySettlement(
    tx,
    deps,
    r,
    items.map((a) => ({
      warehouseId: a.warehouseId,
      sku: a.sku,
      deltaOnHand: -a.quantity,
      deltaReserved: -a.quantity,
    })),
    { reason: 'fulfil', actor, note: null },
  );
}

/** Payment received: active → confirmed. Refused once the TTL has passed (`reservation_expired`). */
export async function confirmReservation(ctx: Ctx, deps: WarehouseDeps, id: string): Promise<void> {
  await transaction(deps.db, async (tx) => {
    const outcome = await confirmReservationIn(tx, deps, id);
    const r = await load(tx, id);
    if (outcome === 'expired')
      throw conflict(`Reservation ${id} expired at ${r.expiresAt.toISOString()}`, 'reservation_expired');
    if (outcome === 'released') throw invalid(r, 'confirmed');
  });
  ctx.logger.info({ reservationId: id }, 'reservation confirmed');
}

/**
 * active → confirmed inside the caller's transaction (the order-status consumer). `confirmed` also
 * when it already was (or was since fulfilled); `expired` when its TTL passed; `released` when it
 * was given back — neither can be confirmed any more.
 */
export async function confirmReservationIn(
  tx: Tx,
  deps: WarehouseDeps,
  id: string,
): Promise<'confirmed' | 'expired' | 'released'> {
  const now = deps.clock.now();
  if (await reservations.transition(tx, id, sourcesOf('confirmed'), 'confirmed', now, { notExpiredAt: now }))
    return 'confirmed';
  const r = await load(tx, id);
  if (r.status === 'confirmed' || r.status === 'fulfilled') return 'confirmed';
  if (r.status === 'expired' || (r.status === 'active' && r.expiresAt <= now)) return 'expired';
  return 'released';
}

/** active|confirmed → released; idempotent, a no-op when already released or expired. */
export async function releaseReservation(
  ctx: Ctx,
  deps: WarehouseDeps,
  id: string,
  reason: string,
): Promise<void> {
  const released = await transaction(deps.db, (tx) =>
    releaseReservationIn(tx, deps, id, actorId(ctx), reason),
  );
  if (released) ctx.logger.info({ reservationId: id, reason }, 'reservation released');
}

/**
 * The release inside the caller's transaction; false when it was already released or expired.
 * Gives back only the items still unsettled: after a partial shipment the units that left stay
 * deducted (WH-P0-02).
 */
export async function releaseReservationIn(
  tx: Tx,
  deps: WarehouseDeps,
  id: string,
  actor: string,
  reason: string,
): Promise<boolean> {
  const r = await load(tx, id);
  const now = deps.clock.now();
  if (!(await reservations.transition(tx, id, sourcesOf('released'), 'released', now))) {
    const current = await load(tx, id);
    if (current.status === 'released' || current.status === 'expired') return false;
    throw invalid(current, 'released');
  }
  const items = await reservations.settleItems(tx, id, 'released', now);
  await giveBack(tx, deps, r, items, 'release', actor, reason.slice(0, 500));
  return true;
}

/**
 * WH-P0-02: the whole reservation shipped — confirmed → fulfilled deducts on_hand and reserved
 * exactly once for every item not settled yet (a warehouse already shipped or cancelled by
 * fulfillment keeps its settlement).
 */
export async function fulfilReservation(ctx: Ctx, deps: WarehouseDeps, id: string): Promise<void> {
  await transaction(deps.db, async (tx) => {
    const r = await load(tx, id);
    const now = deps.clock.now();
    if (!(await reservations.transition(tx, id, sourcesOf('fulfilled'), 'fulfilled', now))) {
      const current = await load(tx, id);
      if (current.status === 'fulfilled') return;
      throw invalid(current, 'fulfilled');
    }
    const items = await reservations.settleItems(tx, id, 'fulfilled', now);
    await deduct(tx, deps, r, items, actorId(ctx));
  });
  ctx.logger.info({ reservationId: id }, 'reservation fulfilled');
}

/**
 * WH-P0-02: active and past its TTL → expired, stock and capacity given back, and
 * `warehouse.inventory.reservation_expired` in the same transaction. `false` when another run (or
 * a confirm/release) got there first.
 */
export async function expireReservation(deps: WarehouseDeps, id: string, actor: string): Promise<boolean> {
  return transaction(deps.db, async (tx) => {
    const now = deps.clock.now();
    const r = await load(tx, id);
    if (r.status !== 'active' || r.expiresAt > now) return false;
    if (!(await reservations.transition(tx, id, sourcesOf('expired'), 'expired', now))) return false;
    await giveBack(
      tx,
      deps,
      r,
      await reservations.settleItems(tx, id, 'released', now),
      'expire',
      actor,
      null,
    );
    await tx.publish('warehouse.inventory.reservation_expired', r.orderId, {
      orderId: r.orderId,
      reservationIds: [r.id],
      items: mergeDemands(r.allocations),
      occurredAt: now.toISOString(),
    });
    return true;
  });
}
