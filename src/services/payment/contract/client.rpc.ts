import type { RpcTable } from '../../../platform/rpc/rpc.types.js';
import type { PaymentClient } from './client.js';

/** The payment provider may take its time: calls that reach it get longer than the default. */
const PROVIDER_TIMEOUT_MS = 20_000;

/** How PaymentClient travels over HTTP in distributed mode (platform/rpc). Every write carries its key. */
export const paymentRpc: RpcTable<PaymentClient> = {
  // The publisher's outbox history (analytics backfill): a read.
  publishedEvents: { path: 'published-events', idempotent: true },
  authorize: { path: 'authorize', idempotent: true, timeoutMs: PROVIDER_TIMEOUT_MS },
  void: { path: 'void', idempotent: true, timeoutMs: PROVIDER_TIMEOUT_MS },
  capture: { path: 'capture', idempotent: true, timeoutMs: PROVIDER_TIMEOUT_MS },
  refund: { path: 'refund', idempotent: true, timeoutMs: PROVIDER_TIMEOUT_MS },
  getPayment: { path: 'get-payment', idempotent: true },
  paymentsForOrder: { path: 'payments-for-order', idempotent: true },
};
