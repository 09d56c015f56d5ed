import { orderStatus } from '../../../contracts/common.schemas.js';
import { AppError } from '../../../platform/errors/app-error.js';

/**
 * The order state machine of 02-events.md as data (conventions §10): every allowed transition is
 * listed; everything else is refused (OR-P1-02). Events carry a per-order `sequence` so consumers
 * drop stale ones (G6).
 */
/** The statuses of 02-events.md, as the event contract spells them (one list for both). */
export const ORDER_STATUSES = orderStatus.options;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['confirmed', 'cancelled'],
  confirmed: ['processing', 'cancelled'],
  // Cancellable while processing only before anything shipped (checked by the cancel use case).
  processing: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: ['completed', 'return_requested', 'refunded'],
  completed: [],
  cancelled: [],
  // Beyond the drawn graph (docs/order-lifecycle.md "Returns"): a rejected return puts the order
  // back where it was (delivered, or partially_returned for a second return), and a partially
  // returned order may be returned again within the window and completes when the window closes.
  return_requested: ['returned', 'partially_returned', 'delivered'],
  returned: [],
  partially_returned: ['return_requested', 'completed'],
  refunded: [],
};

export const canTransition = (from: OrderStatus, to: OrderStatus): boolean =>
  ORDER_TRANSITIONS[from].includes(to);

export const isTerminal = (status: OrderStatus): boolean => ORDER_TRANSITIONS[status].length === 0;

/** Guard: throws 409 `invalid_transition` for a move outside the table (OR-P1-02). */
export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to))
    throw new AppError('conflict', 'invalid_transition', `A ${from} order cannot become ${to}`);
}

/**
 * Who may cancel from which status (OR-P1-04, 04-services.md "Cancellation"): the owner before
 * fulfillment starts (and within the cancellation window, checked by the use case), an admin until
 * something shipped. The system (payment failed, reservation expired, capture failed, COD window)
 * cancels only what is not yet confirmed, except a lost race with an expired reservation.
 */
export const OWNER_CANCELLABLE: readonly OrderStatus[] = ['pending', 'confirmed'];
export const ADMIN_CANCELLABLE: readonly OrderStatus[] = ['pending', 'confirmed', 'processing'];

/** Payment status as the order tracks it (02-events.md). */
export const PAYMENT_STATUSES = [
  'pending',
  'authorized',
  'captured',
  'partially_refunded',
  'refunded',
  'voided',
  'failed',
] as const;
export type OrderPaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * The graph of 02-events.md plus `pending → voided`: a COD or bank-transfer payment released when
 * its order is cancelled (the payment service's own table has the same edge).
 */
export const PAYMENT_TRANSITIONS: Readonly<Record<OrderPaymentStatus, readonly OrderPaymentStatus[]>> = {
  pending: ['authorized', 'captured', 'voided', 'failed'],
  authorized: ['captured', 'voided', 'failed'],
  captured: ['partially_refunded', 'refunded', 'failed'],
  partially_refunded: ['partially_refunded', 'refunded', 'failed'],
  refunded: ['failed'],
  voided: ['failed'],
  failed: [],
};

export const canTransitionPayment = (from: OrderPaymentStatus, to: OrderPaymentStatus): boolean =>
  PAYMENT_TRANSITIONS[from].includes(to);
