import type { Transaction } from 'kysely';
import { AppError } from '../../../platform/errors/app-error.js';
import { reservationRepository as reservations } from '../data/reservation.repository.js';
import type { ItemSettlement, WarehouseDB } from '../data/tables.js';
import { settledStatus, sourcesOf } from '../domain/reservation-status.js';
import type { WarehouseDeps } from './deps.js';
import { deduct, giveBack } from './reservation-lifecycle.js';

type Tx = Transaction<WarehouseDB>;

export type SettlementOutcome =
  | {
      kind: 'settled';
      reservationId: string;
      items: number;
      reservationStatus: 'fulfilled' | 'released' | null;
    }
  /** Nothing left to settle for the warehouse: a repeated or late event. */
  | { kind: 'unchanged'; reservationId: string };

/** The reservation is not confirmed yet (the `confirmed` order event is behind): retry later. */
export class ReservationNotConfirmedYet extends Error {
  constructor(reservationId: string) {
    super(`Reservation ${reservationId} is still active; its confirmation has not been applied yet`);
    this.name = 'ReservationNotConfirmedYet';
  }
}

/**
 * WH-P0-02 per warehouse, in the caller's (inbox) transaction: fulfillment shipped (`fulfilled`:
 * on_hand and reserved deducted) or cancelled (`released`: reserved and capacity given back) the
 * order's items of one warehouse. The reservation row is locked first, so settlements of one
 * reservation (two warehouses at once, a release racing a shipment) serialize; each item is
 * claimed by a conditional update, so its stock changes once however often the event comes. When
 * no item holds units any more the reservation ends `fulfilled` (anything shipped) or `released`.
 *
 * Shipping needs a `confirmed` reservation: an `active` one throws so the inbox retries after the
 * order's confirmation is applied. A shipment whose units were already given back (released or
 * expired reservation) is refused as `unprocessable`, dead-lettered for ops: the goods left,
 * stock must be corrected by hand, never silently.
 */
export async function settleWarehouseIn(
  tx: Tx,
  deps: WarehouseDeps,
  orderId: string,
  warehouseId: string,
  how: ItemSettlement,
  actor: string,
): Promise<SettlementOutcome> {
  const [candidate] = await reservations.findByOrderAndWarehouse(tx, orderId, warehouseId);
  if (!candidate)
    throw new AppError(
      'unprocessable',
      'reservation_not_found',
      `Order ${orderId} has no reservation with items in warehouse ${warehouseId}`,
    );
  const id = candidate.id;
  const status = await reservations.lock(tx, id);
  if (status === 'active' && how === 'fulfilled') throw new ReservationNotConfirmedYet(id);
  if (status !== 'active' && status !== 'confirmed') {
    const mine = await reservations.settlements(tx, id, warehouseId);
    if (how === 'fulfilled' && mine.some((s) => s !== 'fulfilled'))
      throw new AppError(
        'unprocessable',
        'reservation_not_live',
        `Warehouse ${warehouseId} shipped order ${orderId} but reservation ${id} is ${status} and gave its units back`,
      );
    return { kind: 'unchanged', reservationId: id };
  }

  const now = deps.clock.now();
  const items = await reservations.settleItems(tx, id, how, now, warehouseId);
  if (items.length === 0) return { kind: 'unchanged', reservationId: id };
  const r = (await reservations.find(tx, { id }))!;
  if (how === 'fulfilled') await deduct(tx, deps, r, items, actor);
  else
    await giveBack(tx, deps, r, items, 'release', actor, `fulfillment cancelled in warehouse ${warehouseId}`);

  const end = settledStatus(await reservations.settlements(tx, id));
  if (end && !(await reservations.transition(tx, id, sourcesOf(end), end, now)))
    throw new Error(`Reservation ${id} (${status}) could not become ${end} under its lock`);
  return { kind: 'settled', reservationId: id, items: items.length, reservationStatus: end ?? null };
}
