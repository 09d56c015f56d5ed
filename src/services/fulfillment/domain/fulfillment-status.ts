import { fulfillmentStatus } from '../../../contracts/common.schemas.js';
import { AppError } from '../../../platform/errors/app-error.js';

/** Fulfillment status (02-events.md "Fulfillment status"): one fulfillment per order per warehouse. */
// The event contract's list, in main-path order (`hasReached` relies on it), one list for both.
export const FULFILLMENT_STATUSES = fulfillmentStatus.options;
export type FulfillmentStatus = (typeof FULFILLMENT_STATUSES)[number];

/** Statuses before anything left the warehouse: these may still be cancelled and breach the SLA. */
export const ACTIVE_STATUSES = [
  'pending',
  'picking',
  'picked',
  'packing',
  'packed',
  'ready_to_ship',
] as const satisfies readonly FulfillmentStatus[];

/**
 * The validation matrix (FUL-P0-02): the main path one step at a time, and any non-shipped status
 * to `cancelled`. Everything else (e.g. `completed → picking`, skipping `packing`) is refused.
 */
const TRANSITIONS: Readonly<Record<FulfillmentStatus, readonly FulfillmentStatus[]>> = {
  pending: ['picking', 'cancelled'],
  picking: ['picked', 'cancelled'],
  picked: ['packing', 'cancelled'],
  packing: ['packed', 'cancelled'],
  packed: ['ready_to_ship', 'cancelled'],
  ready_to_ship: ['shipped', 'cancelled'],
  shipped: ['completed'],
  completed: [],
  cancelled: [],
};

export const canTransition = (from: FulfillmentStatus, to: FulfillmentStatus): boolean =>
  TRANSITIONS[from].includes(to);

/** Guard: 409 `invalid_transition` for a move outside the matrix (FUL-P0-02). */
export function assertTransition(from: FulfillmentStatus, to: FulfillmentStatus): void {
  if (!canTransition(from, to))
    throw new AppError('conflict', 'invalid_transition', `A ${from} fulfillment cannot become ${to}`);
}

export const isActive = (s: FulfillmentStatus): boolean => (ACTIVE_STATUSES as readonly string[]).includes(s);

/**
 * Whether `status` has reached `target` for the order-wide `allReachedStatus` flag (02-events.md):
 * `cancelled` only by being cancelled; a main-path status by being there or further along it.
 */
export function hasReached(status: FulfillmentStatus, target: FulfillmentStatus): boolean {
  if (target === 'cancelled' || status === 'cancelled') return status === target;
  return FULFILLMENT_STATUSES.indexOf(status) >= FULFILLMENT_STATUSES.indexOf(target);
}

/**
 * True when every fulfillment of the order reached `target`. Cancelled fulfillments do not hold
 * back a main-path status (a cancelled warehouse leg ships nothing), but at least one must count.
 */
export function allReached(statuses: readonly FulfillmentStatus[], target: FulfillmentStatus): boolean {
  if (target === 'cancelled') return statuses.length > 0 && statuses.every((s) => s === 'cancelled');
  const live = statuses.filter((s) => s !== 'cancelled');
  return live.length > 0 && live.every((s) => hasReached(s, target));
}
