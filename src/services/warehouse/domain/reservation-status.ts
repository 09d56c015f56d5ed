import type { ReservationStatus } from '../contract/client.js';

/**
 * Reservation status (spec 02-events.md): `active → confirmed → fulfilled`, `active → expired`,
 * `active|confirmed → released`. Terminal: fulfilled, expired, released. The SQL updates guard
 * with the same `from` sets (`WHERE status IN (…)`), so concurrent callers cannot both move it.
 */
export const RESERVATION_STATUSES = ['active', 'confirmed', 'fulfilled', 'expired', 'released'] as const;

export const RESERVATION_TRANSITIONS: Readonly<Record<ReservationStatus, readonly ReservationStatus[]>> = {
  active: ['confirmed', 'expired', 'released'],
  confirmed: ['fulfilled', 'released'],
  fulfilled: [],
  expired: [],
  released: [],
};

export const canTransition = (from: ReservationStatus, to: ReservationStatus): boolean =>
  RESERVATION_TRANSITIONS[from].includes(to);

/** The statuses a reservation may be in to move to `to` (the SQL guard). */
export const sourcesOf = (to: ReservationStatus): ReservationStatus[] =>
  RESERVATION_STATUSES.filter((from) => canTransition(from, to));

/** Stock is held (counted in `reserved`) while a reservation is live. */
export const LIVE_STATUSES: readonly ReservationStatus[] = ['active', 'confirmed'];

/**
 * The status a reservation ends in once every item is settled (fulfillment ships or cancels one
 * warehouse at a time): `fulfilled` when anything shipped, `released` when all went back;
 * undefined while an item still holds its units.
 */
export function settledStatus(
  items: readonly ('fulfilled' | 'released' | null)[],
): 'fulfilled' | 'released' | undefined {
  if (items.length === 0 || items.some((s) => s === null)) return undefined;
  return items.includes('fulfilled') ? 'fulfilled' : 'released';
}
