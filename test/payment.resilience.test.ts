import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../src/platform/context.js';
import { isAppError } from '../src/platform/errors/app-error.js';
import { toProblem } from '../src/platform/errors/problem.js';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';
import {
  newOrderId,
  paymentClient,
  paymentDb,
  paymentEvents,
  usd,
  WEBHOOK_SECRETS,
} from './payment.fixtures.js';

/** PAY-P0-01: provider timeouts, the circuit breaker and the clean-up of unanswered authorizations. */
describe.each(TEST_DATABASES)('payment provider resilience (%s)', (kind) => {
  let platform: TestPlatform;
  const ctx = () => systemCtx(platform.orderline.logger);

  beforeAll(async () => {
    platform = await startTestPlatform(kind, {
      services: ['user', 'auth', 'payment'],
      env: {
        PAYMENT_TESTPAY_WEBHOOK_SECRETS: WEBHOOK_SECRETS,
        PAYMENT_PROVIDER_TIMEOUT_MS: '150',
        PAYMENT_CIRCUIT_VOLUME_THRESHOLD: '3',
        PAYMENT_CIRCUIT_ERROR_THRESHOLD_PERCENT: '50',
        PAYMENT_CIRCUIT_RESET_MS: '600000',
      },
    });
  });
  afterAll(() => platform.close());

  const authorize = (orderId: string, token: string, method: 'card' | 'cod' = 'card') =>
    paymentClient(platform).authorize(ctx(), {
      orderId,
      amount: usd(1000n),
      method,
      token,
      idempotencyKey: `checkout:${orderId}:authorize`,
    });

  async function errorOf(promise: Promise<unknown>) {
    try {
      await promise;
    } catch (err) {
      return err;
    }
    throw new Error('expected a failure');
  }

  it('times out tok_timeout with payment_unavailable and records the attempt as unknown', async () => {
    const orderId = newOrderId();
    const err = await errorOf(authorize(orderId, 'tok_timeout'));
    expect(err).toMatchObject({ kind: 'unavailable', code: 'payment_unavailable' });
    const [payment] = await paymentClient(platform).paymentsForOrder(orderId);
    expect(payment?.status).toBe('pending');
    const op = await paymentDb(platform)
      .selectFrom('payment_operations')
      .select(['status', 'error'])
      .where('payment_id', '=', payment!.id)
      .executeTakeFirstOrThrow();
    expect(op).toEqual({ status: 'unknown', error: 'timeout' });
  });

  it('status sync releases the hold the gateway took and fails the payment', async () => {
    const orderId = newOrderId();
    await errorOf(authorize(orderId, 'tok_timeout'));
    const [payment] = await paymentClient(platform).paymentsForOrder(orderId);
    // The gateway did take the authorization; nobody heard back.
    const charge = () =>
      paymentDb(platform)
        .selectFrom('testpay_charges')
        .select('status')
        .where('order_id', '=', orderId)
        .executeTakeFirst();
    // The gateway finishes its bookkeeping on its own time, after our call gave up waiting.
    await waitFor(
      async () => (await charge())?.status === 'authorized',
      'the gateway holds the authorization',
    );
    await waitFor(async () => {
      await platform.orderline.eventing.scheduler('payment')!.runNow('status-sync');
      return (await paymentClient(platform).getPayment(payment!.id))?.status === 'failed';
    }, 'status sync resolves the timed-out authorization');
    expect((await charge())?.status).toBe('voided');
    expect(await paymentEvents(platform, orderId)).toEqual(['payments.payment.failed']);
  });

  it('a void after a timeout releases the hold at the gateway', async () => {
    const orderId = newOrderId();
    await errorOf(authorize(orderId, 'tok_timeout'));
    const [payment] = await paymentClient(platform).paymentsForOrder(orderId);
    await paymentClient(platform).void(ctx(), payment!.id, `checkout:${orderId}:void`);
    expect((await paymentClient(platform).getPayment(payment!.id))?.status).toBe('voided');
    const charge = await paymentDb(platform)
      .selectFrom('testpay_charges')
      .select('status')
      .where('order_id', '=', orderId)
      .executeTakeFirstOrThrow();
    expect(charge.status).toBe('voided');
  });

  it('opens the circuit after repeated timeouts: fast 503 with Retry-After, provider not called', async () => {
    let open: unknown;
    for (let i = 0; i < 20 && !open; i++) {
      const err = await errorOf(authorize(newOrderId(), 'tok_timeout'));
      if (isAppError(err) && err.extra?.retryAfter !== undefined) open = err;
    }
    expect(open).toMatchObject({
      kind: 'unavailable',
      code: 'payment_unavailable',
      extra: { retryAfter: expect.any(Number) },
    });
    expect((open as { extra: { retryAfter: number } }).extra.retryAfter).toBeGreaterThan(0);
    // On the wire (checkout surfaces it): 503 problem+json with a Retry-After header.
    expect(toProblem(open)).toMatchObject({
      status: 503,
      code: 'payment_unavailable',
      retryAfter: expect.any(Number),
    });

    // Even a good card fails fast now, and the gateway never sees the request.
    const orderId = newOrderId();
    const err = await errorOf(authorize(orderId, 'tok_visa'));
    expect(err).toMatchObject({ code: 'payment_unavailable', extra: { retryAfter: expect.any(Number) } });
    const seen = await paymentDb(platform)
      .selectFrom('testpay_requests')
      .select('hits')
      .where('idempotency_key', '=', `checkout:${orderId}:authorize`)
      .execute();
    expect(seen).toEqual([]);
    // Other providers have circuits of their own.
    expect(await authorize(newOrderId(), '', 'cod')).toMatchObject({ ok: true, status: 'pending' });
  });
});
