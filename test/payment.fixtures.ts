import { randomUUID } from 'node:crypto';
import { signedDelivery as sign } from '../src/platform/security/webhook-signature.js';
import type { PaymentClient } from '../src/services/payment/contract/client.js';
import type { TestPlatform } from './harness.js';

export const WEBHOOK_SECRETS = 'whsec_current_test,whsec_previous_test';

export const paymentClient = (platform: TestPlatform): PaymentClient => platform.orderline.clients.payment!;

export const paymentDb = (platform: TestPlatform) => platform.orderline.database.root.withSchema('payment');

/** Outbox rows the payment service wrote for an order, in order. */
export async function paymentEvents(platform: TestPlatform, orderId: string): Promise<string[]> {
  const rows = await paymentDb(platform)
    .selectFrom('outbox')
    .select(['topic', 'created_at', 'id'])
    .where('key', '=', orderId)
    .orderBy('id')
    .execute();
  return rows.map((r: { topic: string }) => r.topic);
}

export const usd = (amount: bigint) => ({ amount, currency: 'USD' });

export const newOrderId = (): string => randomUUID();

/** The headers testpay puts on a delivery of `body`, signed with `secret` at `at`. */
export function signedDelivery(body: string, secret = 'whsec_current_test', at = new Date()) {
  return sign('testpay', [secret], body, at).headers;
}
