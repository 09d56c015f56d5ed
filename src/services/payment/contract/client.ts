import type { EventHistory } from '../../../contracts/index.js';
import type { Ctx } from '../../../platform/context.js';
import type { Money } from '../../../platform/money.js';

export type PaymentMethod = 'card' | 'cod' | 'bank_transfer';
export type PaymentStatus =
  | 'pending'
  | 'authorized'
  | 'captured'
  | 'partially_refunded'
  | 'refunded'
  | 'voided'
  | 'failed'
  | 'expired';

export interface AuthorizeRequest {
  orderId: string;
  amount: Money;
  method: PaymentMethod;
  /** Card token from the storefront's payment form (card only); card data never reaches us. */
  token?: string | undefined;
  /** Derived from the saga and step (`checkout:{id}:authorize`): a retry never authorizes twice (G2). */
  idempotencyKey: string;
}

export type AuthorizeResult =
  | { ok: true; paymentId: string; status: 'authorized' | 'pending'; provider: string }
  | { ok: false; reason: 'declined'; paymentId: string; detail: string };

export interface PaymentView {
  id: string;
  orderId: string;
  provider: string;
  method: PaymentMethod;
  status: PaymentStatus;
  amount: Money;
  capturedAmount: Money;
  refundedAmount: Money;
}

export type CaptureResult =
  | { ok: true; paymentId: string; status: 'captured'; capturedAmount: Money }
  | { ok: false; reason: 'capture_failed'; paymentId: string; detail: string };

export interface RefundRequestOptions {
  /** The return this refund settles, carried on payments.refund.completed. */
  returnId?: string | undefined;
}

export type RefundResult =
  | {
      ok: true;
      paymentId: string;
      refundId: string;
      status: 'refunded' | 'partially_refunded';
      refundedAmount: Money;
    }
  | { ok: false; reason: 'refund_failed'; paymentId: string; detail: string };

/** The payment service as other services see it. */
export interface PaymentClient extends EventHistory {
  /**
   * Authorizes (card) or registers (cod, bank transfer → `pending`) a payment. A decline is a
   * result; a provider that times out or whose circuit is open throws AppError('unavailable',
   * 'payment_unavailable') after recording the attempt, so the caller compensates.
   */
  authorize(ctx: Ctx, request: AuthorizeRequest): Promise<AuthorizeResult>;
  /** Releases an authorization; idempotent per key. Throws when the provider cannot be reached. */
  void(ctx: Ctx, paymentId: string, idempotencyKey: string): Promise<void>;
  /**
   * Captures `amount` (the caller's stored total; at most the authorized amount) once, idempotent
   * per key; also records a collected COD / received transfer. A provider refusal is a result and
   * fails the payment (payments.payment.failed → confirmed never comes); no answer throws
   * payment_unavailable and changes nothing, so a retry with the same key is safe.
   */
  capture(ctx: Ctx, paymentId: string, amount: Money, idempotencyKey: string): Promise<CaptureResult>;
  /**
   * Refunds `amount` of a captured payment, idempotent per key; never more than captured minus
   * refunded (422 refund_exceeds_captured). Publishes payments.refund.completed.
   */
  refund(
    ctx: Ctx,
    paymentId: string,
    amount: Money,
    idempotencyKey: string,
    options?: RefundRequestOptions,
  ): Promise<RefundResult>;
  getPayment(paymentId: string): Promise<PaymentView | undefined>;
  paymentsForOrder(orderId: string): Promise<PaymentView[]>;
}
