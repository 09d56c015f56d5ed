import type { Money } from '../../../platform/money.js';
import type { PaymentMethod } from '../contract/client.js';

/**
 * The payment provider port (conventions §5). Every call carries an idempotency key (the provider
 * answers a repeated key with the first result and does the work once: G2) and an abort signal
 * that fires at PAYMENT_PROVIDER_TIMEOUT_MS. Business outcomes (a decline) are results; only
 * "no answer" (transport failure, timeout) is thrown, so only that counts against the circuit.
 */
export interface ProviderCall {
  idempotencyKey: string;
  signal: AbortSignal;
}

export interface ProviderAuthorizeRequest {
  orderId: string;
  amount: Money;
  method: PaymentMethod;
  token: string | undefined;
}

export type ProviderAuthorizeResult =
  | { kind: 'authorized'; ref: string }
  /** Nothing to authorize now (COD, bank transfer): the payment waits for collection. */
  | { kind: 'pending'; ref: string | null }
  | { kind: 'declined'; code: string; reason: string };

export type ProviderOperationResult =
  | { kind: 'succeeded'; ref: string | null }
  | { kind: 'failed'; code: string; reason: string };

/** What the provider holds for a payment; `not_found` when it never received the authorization. */
export type ProviderState =
  | 'authorized'
  | 'captured'
  | 'partially_refunded'
  | 'refunded'
  | 'voided'
  | 'failed'
  | 'not_found';

export interface ProviderStatus {
  state: ProviderState;
  ref: string | null;
  capturedAmount: bigint;
  refundedAmount: bigint;
}

/** A verified, parsed webhook delivery. */
export interface ProviderWebhookEvent {
  eventId: string;
  type: 'payment.authorized' | 'payment.captured' | 'payment.failed' | 'payment.voided';
  /** The provider's reference of the payment (charge id). */
  ref: string;
  amount: bigint | null;
  reason: string | null;
}

export interface PaymentProvider {
  readonly name: string;
  /** False for providers with no outside state to ask (COD, bank transfer without a bank feed). */
  readonly hasExternalState: boolean;
  /** False when the provider sends no webhooks; its webhook URL is then unknown (404). */
  readonly acceptsWebhooks: boolean;
  authorize(call: ProviderCall, request: ProviderAuthorizeRequest): Promise<ProviderAuthorizeResult>;
  capture(call: ProviderCall, ref: string | null, amount: Money): Promise<ProviderOperationResult>;
  void(call: ProviderCall, ref: string | null): Promise<ProviderOperationResult>;
  refund(call: ProviderCall, ref: string | null, amount: Money): Promise<ProviderOperationResult>;
  /** Looks a payment up by its reference or, when the authorize answer was lost, by its authorize key. */
  status(call: ProviderCall, lookup: { ref: string | null; authorizeKey: string }): Promise<ProviderStatus>;
  /** Verifies the signature over the raw body and parses it; throws AppError('unauthenticated') → 401. */
  verifyWebhook(
    rawBody: string,
    headers: Record<string, string | string[] | undefined>,
  ): ProviderWebhookEvent;
}
