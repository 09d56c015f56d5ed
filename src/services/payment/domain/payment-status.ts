import { AppError } from '../../../platform/errors/app-error.js';
import type { PaymentStatus } from '../contract/client.js';

export const PAYMENT_STATUSES = [
  'pending',
  'authorized',
  'captured',
  'partially_refunded',
  'refunded',
  'voided',
  'failed',
  'expired',
] as const satisfies readonly PaymentStatus[];

/**
 * The payment state machine of 02-events.md as data (conventions §10). Additions, each for a flow
 * the spec names elsewhere:
 * - `pending → captured`: COD collected / bank transfer received (payments.payment.confirmed says so);
 * - `pending → voided`: a pending payment released before it completed (COD or transfer cancelled,
 *   or a card authorization whose answer timed out and was released at the provider);
 * - `partially_refunded → partially_refunded`: a second partial refund.
 * Everything else — above all any move back from a terminal state — is refused (G6).
 */
export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  pending: ['authorized', 'captured', 'voided', 'failed', 'expired'],
  authorized: ['captured', 'voided', 'failed'],
  captured: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refunded: [],
  voided: [],
  failed: [],
  expired: [],
};

export const canTransition = (from: PaymentStatus, to: PaymentStatus): boolean =>
  PAYMENT_TRANSITIONS[from].includes(to);

/** Guard: throws 409 `invalid_transition` for a move outside the table. */
export function assertTransition(from: PaymentStatus, to: PaymentStatus): void {
  if (!canTransition(from, to))
    throw new AppError('conflict', 'invalid_transition', `A ${from} payment cannot become ${to}`);
}

export const isTerminal = (status: PaymentStatus): boolean => PAYMENT_TRANSITIONS[status].length === 0;
