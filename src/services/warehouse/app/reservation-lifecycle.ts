import type { Transaction } from 'kysely';
import { actorId, type Ctx } from '../../../platform/context.js';
import { AppError, conflict, notFound } from '../../../platform/errors/app-error.js';
import { isUuid } from '../../../platform/ids.js';
import { transaction } from '../../../platform/outbox/outbox.publisher.js';
import type { ReservationStatus } from '../contract/client.js';
import { type Reservation, reservationRepository as reservations } from '../data/reservation.repository.js';
import { stockRepository as stock } from '../data/stock.repository.js';
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

/** Gives a reservation's units back to `reserved` and its capacity back to its day. */
async function giveBack(
  tx: Tx,
  deps: WarehouseDeps,
  r: Reservation,
  reason: LedgerReason,
  actor: string,
  note: string | null,
) {
  try {
    await changeStock(
      tx,
      deps,
      r.allocations.map((a) => ({
        warehouseId: a.warehouseId,
        sku: a.sku,
        deltaOnHand: 0,
        deltaReserved: -a.quantity,
      })),
      { reason, reference: r.id, note, actor },
    );
  } catch (err) {
    // Only drift (reserved lower than the live reservation holds) refuses this; reconciliation fixes it.
    if (err instanceof StockRefused)
      throw new AppError(
        'internal',
        'stock_drift',
        `Reservation ${r.id}: ${err.message}; run stock-reconciliation`,
        { cause: err },
      );
    throw err;
  }
  await stock.returnCapacity(tx, r.id);
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

/** The release inside the caller's transaction; false when it was already released or expired. */
export async function releaseReservationIn(
  tx: Tx,
  deps: WarehouseDeps,
  id: string,
  actor: string,
  reason: string,
): Promise<boolean> {
  const r = await load(tx, id);
  if (!(await reservations.transition(tx, id, sourcesOf('released'), 'released', deps.clock.now()))) {
    const now = await load(tx, id);
    if (now.status === 'released' || now.status === 'expired') return false;
    throw invalid(now, 'released');
  }
  await giveBack(tx, deps, r, 'release', actor, reason.slice(0, 500));
  return true;
}

/** WH-P0-02: shipped — confirmed → fulfilled deducts on_hand and reserved exactly once. */
export async function fulfilReservation(ctx: Ctx, deps: WarehouseDeps, id: string): Promise<void> {
  await transaction(deps.db, async (tx) => {
    const r = await load(tx, id);
    if (!(await reservations.transition(tx, id, sourcesOf('fulfilled'), 'fulfilled', deps.clock.now()))) {
      const now = await load(tx, id);
      if (now.status === 'fulfilled') return;
      throw invalid(now, 'fulfilled');
    }
    await changeStock(
      tx,
      deps,
      r.allocations.map((a) => ({
        warehouseId: a.warehouseId,
        sku: a.sku,
        deltaOnHand: -a.quantity,
        deltaReserved: -a.quantity,
      })),
      { reason: 'fulfil', reference: r.id, note: null, actor: actorId(ctx) },
    );
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
    await giveBack(tx, deps, r, 'expire', actor, null);
    await tx.publish('warehouse.inventory.reservation_expired', r.orderId, {
      orderId: r.orderId,
      reservationIds: [r.id],
      items: mergeDemands(r.allocations),
      occurredAt: now.toISOString(),
    });
    return true;
  });
}
