/**
 * The order state machine of 02-events.md as data (conventions §10): every allowed transition is
 * listed; everything else is refused (OR-P1-02). Events carry a per-order `sequence` so consumers
 * drop stale ones (G6).
 */
export const ORDER_STATUSES = [
  'pending',
  'confirmed',
  'processing',
  'shipped',
  'delivered',
  'completed',
  'cancelled',
  'return_requested',
  'returned',
  'partially_returned',
  'refunded',
] as const;
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
  return_requested: ['returned', 'partially_returned'],
  returned: [],
  partially_returned: [],
  refunded: [],
};

export const canTransition = (from: OrderStatus, to: OrderStatus): boolean =>
  ORDER_TRANSITIONS[from].includes(to);

export const isTerminal = (status: OrderStatus): boolean => ORDER_TRANSITIONS[status].length === 0;

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

export const PAYMENT_TRANSITIONS: Readonly<Record<OrderPaymentStatus, readonly OrderPaymentStatus[]>> = {
  pending: ['authorized', 'captured', 'failed'],
  authorized: ['captured', 'voided', 'failed'],
  captured: ['partially_refunded', 'refunded', 'failed'],
  partially_refunded: ['partially_refunded', 'refunded', 'failed'],
  refunded: ['failed'],
  voided: ['failed'],
  failed: [],
};

export const canTransitionPayment = (from: OrderPaymentStatus, to: OrderPaymentStatus): boolean =>
  PAYMENT_TRANSITIONS[from].includes(to);
