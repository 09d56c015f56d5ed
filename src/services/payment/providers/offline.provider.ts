import { AppError } from '../../../platform/errors/app-error.js';
import { newId } from '../../../platform/ids.js';
import type { PaymentProvider, ProviderOperationResult } from '../domain/ports.js';

const succeeded = (ref: string | null): ProviderOperationResult => ({ kind: 'succeeded', ref });

const noWebhooks = (name: string) => (): never => {
  throw new AppError('not_found', 'not_found', `Provider ${name} sends no webhooks`);
};

/**
 * Cash on delivery: nothing to call. Authorize registers a pending payment; capture is the
 * collection the courier reports; void and refund are settled by hand outside any gateway.
 */
export function createCodProvider(): PaymentProvider {
  return {
    name: 'cod',
    hasExternalState: false,
    acceptsWebhooks: false,
    authorize: async () => ({ kind: 'pending', ref: null }),
    capture: async () => succeeded(null),
    void: async () => succeeded(null),
    refund: async () => succeeded(null),
    status: async () => {
      throw new AppError('internal', 'provider_has_no_status', 'cod keeps no outside state to ask');
    },
    verifyWebhook: noWebhooks('cod'),
  };
}

/**
 * Bank transfer: authorize issues the transfer reference the customer quotes on the payment; the
 * payment stays pending until the transfer is recorded (capture) or the window passes (expiry job).
 */
export function createBankTransferProvider(): PaymentProvider {
  return {
    name: 'bank_transfer',
    hasExternalState: false,
    acceptsWebhooks: false,
    authorize: async () => ({
      kind: 'pending',
      ref: `BT-${newId().replaceAll('-', '').slice(-12).toUpperCase()}`,
    }),
    capture: async (_call, ref) => succeeded(ref),
    void: async (_call, ref) => succeeded(ref),
    refund: async () => succeeded(null),
    status: async () => {
      throw new AppError('internal', 'provider_has_no_status', 'bank_transfer has no bank feed to ask');
    },
    verifyWebhook: noWebhooks('bank_transfer'),
  };
}
