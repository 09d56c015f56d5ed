import type { Transaction } from 'kysely';
import { AppError } from '../../../platform/errors/app-error.js';
import { fulfillmentRepository as repo } from '../data/fulfillment.repository.js';
import type { FulfillmentDB } from '../data/tables.js';
import type { FulfillmentStatus } from '../domain/fulfillment-status.js';
import { catchUpMoves, packagesReached } from '../domain/package-progress.js';
import type { FulfillmentDeps } from './deps.js';
import { LockedOrders } from './fulfillment-transition.js';
import { publishPackageStatus } from './package-events.js';

type Tx = Transaction<FulfillmentDB>;

/** What a shipment event says about one package: the carrier has it, and maybe delivered it. */
export interface ShipmentFact {
  orderId: string;
  fulfillmentId: string | null;
  packageId: string;
  delivered: boolean;
}

export type ProgressOutcome =
  | { kind: 'applied'; packageShipped: boolean; packageDelivered: boolean; moves: FulfillmentStatus[] }
  | { kind: 'package_cancelled' };

const unprocessable = (code: string, detail: string) => new AppError('unprocessable', code, detail);

/**
 * Applies a shipment fact in the caller's (inbox) transaction: the package `ready_to_ship →
 * shipped` (announced), its delivery time once, then the fulfillment caught up with its packages
 * through the matrix (`ready_to_ship → shipped` when every live package shipped, `→ completed`
 * when every one was delivered), each move with its status event.
 *
 * Every effect only moves forward and is a conditional update, so a repeated, stale or reordered
 * event changes nothing (G4, G6) without a per-shipment version: a late in_transit after the
 * delivery finds the package shipped and the fulfillment completed. The order's fulfillment rows
 * are locked first, then the packages (the order every writer takes), so two packages of one
 * order shipping at once see each other and allReachedStatus is computed on what commits.
 *
 * A package this service does not know, or one that belongs to another order, is a publisher bug:
 * `unprocessable`, so the event is dead-lettered at once for someone to look at (G5).
 */
export async function applyShipmentProgress(
  tx: Tx,
  deps: FulfillmentDeps,
  fact: ShipmentFact,
): Promise<ProgressOutcome> {
  const seen = await repo.findPackage(tx, fact.packageId);
  if (!seen) throw unprocessable('unknown_package', `Shipment names package ${fact.packageId}, unknown here`);
  const owner = await repo.find(tx, seen.fulfillment_id);
  if (!owner || owner.order_id !== fact.orderId || (fact.fulfillmentId && fact.fulfillmentId !== owner.id))
    throw unprocessable(
      'shipment_package_mismatch',
      `Package ${fact.packageId} belongs to fulfillment ${seen.fulfillment_id} of order ${owner?.order_id}, not to order ${fact.orderId} / fulfillment ${fact.fulfillmentId}`,
    );

  const locked = await LockedOrders.lock(tx, [owner.order_id]);
  const fulfillment = locked.get(owner.id)!;
  const packages = await repo.lockPackages(tx, owner.id);
  let pkg = packages.find((p) => p.id === fact.packageId)!;
  if (pkg.status === 'cancelled') return { kind: 'package_cancelled' };
  if (pkg.status !== 'ready_to_ship' && pkg.status !== 'shipped')
    throw unprocessable(
      'package_not_ready',
      `Package ${pkg.id} is ${pkg.status}: no shipment can carry it yet`,
    );

  const now = deps.clock.now();
  let packageShipped = false;
  let packageDelivered = false;
  if (pkg.status === 'ready_to_ship') {
    const moved = await repo.shipPackage(tx, pkg.id, now);
    if (moved) {
      await publishPackageStatus(tx, fulfillment, moved, 'ready_to_ship', 'shipped', now);
      pkg = moved;
      packageShipped = true;
    }
  }
  if (fact.delivered && pkg.delivered_at === null) {
    const delivered = await repo.deliverPackage(tx, pkg.id, now);
    if (delivered) {
      pkg = delivered;
      packageDelivered = true;
    }
  }

  const progress = packagesReached(
    packages
      .map((p) => (p.id === pkg.id ? pkg : p))
      .map((p) => ({ status: p.status, delivered: p.delivered_at !== null })),
  );
  const moves = catchUpMoves(fulfillment.status, progress);
  for (const to of moves) await locked.transition(tx, fulfillment.id, to, now);
  return { kind: 'applied', packageShipped, packageDelivered, moves };
}
