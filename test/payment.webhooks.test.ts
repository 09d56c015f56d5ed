import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../src/platform/context.js';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';
import {
  newOrderId,
  paymentClient,
  paymentDb,
  paymentEvents,
  signedDelivery,
  usd,
  WEBHOOK_SECRETS,
} from './payment.fixtures.js';

/** POST /payments/webhooks/{provider}: signature first (OR-P0-04), then per-event idempotency (PAY-P0-02, G2). */
describe.each(TEST_DATABASES)('payment webhooks (%s)', (kind) => {
  let platform: TestPlatform;
  let token: string;

  beforeAll(async () => {
    platform = await startTestPlatform(kind, {
      services: ['user', 'auth', 'payment'],
      env: { PAYMENT_TESTPAY_WEBHOOK_SECRETS: WEBHOOK_SECRETS },
    });
    token = (await loginAs(platform.app)).accessToken;
  });
  afterAll(() => platform.close());

  /** An authorized testpay payment and its charge id. */
  async function authorized() {
    const orderId = newOrderId();
    const { paymentId } = await paymentClient(platform).authorize(systemCtx(platform.orderline.logger), {
      orderId,
      amount: usd(4200n),
      method: 'card',
      token: 'tok_visa',
      idempotencyKey: `checkout:${orderId}:authorize`,
    });
    const list = await platform.app.inject({
      method: 'GET',
      url: `/api/v1/admin/payments?orderId=${orderId}`,
      headers: bearer(token),
    });
    return { orderId, paymentId, chargeId: list.json().items[0].providerRef as string };
  }

  const deliver = (body: string, headers: Record<string, string>, provider = 'testpay') =>
    platform.app.inject({
      method: 'POST',
      url: `/api/v1/payments/webhooks/${provider}`,
      payload: body,
      headers,
    });

  const storedEvents = async () =>
    (await paymentDb(platform).selectFrom('webhook_events').select('id').execute()).length;

  it('applies a signed payment.captured once, also when delivered twice', async () => {
    const { orderId, paymentId, chargeId } = await authorized();
    const body = JSON.stringify({
      id: `evt_${orderId}`,
      type: 'payment.captured',
      data: { chargeId, amount: '4200' },
    });
    const first = await deliver(body, signedDelivery(body));
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ outcome: 'applied', paymentId, status: 'captured' });
    const second = await deliver(body, signedDelivery(body));
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    const parallel = await Promise.all([1, 2, 3].map(() => deliver(body, signedDelivery(body))));
    for (const res of parallel) expect([200, 409]).toContain(res.statusCode);
    expect(await paymentClient(platform).getPayment(paymentId)).toMatchObject({
      status: 'captured',
      capturedAmount: usd(4200n),
    });
    expect(await paymentEvents(platform, orderId)).toEqual([
      'payments.payment.authorized',
      'payments.payment.confirmed',
    ]);
  });

  it('answers 409 for the same event id with a different body', async () => {
    const { orderId, chargeId } = await authorized();
    const body = JSON.stringify({ id: `evt_${orderId}`, type: 'payment.voided', data: { chargeId } });
    expect((await deliver(body, signedDelivery(body))).statusCode).toBe(200);
    const other = JSON.stringify({ id: `evt_${orderId}`, type: 'payment.failed', data: { chargeId } });
    const res = await deliver(other, signedDelivery(other));
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('webhook_event_conflict');
    expect(await paymentEvents(platform, orderId)).toEqual([
      'payments.payment.authorized',
      'payments.payment.voided',
    ]);
  });

  it('verifies with a previous secret during rotation and ignores a stale event (G6)', async () => {
    const { orderId, chargeId, paymentId } = await authorized();
    const captured = JSON.stringify({ id: `evt_c_${orderId}`, type: 'payment.captured', data: { chargeId } });
    expect((await deliver(captured, signedDelivery(captured, 'whsec_previous_test'))).statusCode).toBe(200);
    const late = JSON.stringify({ id: `evt_a_${orderId}`, type: 'payment.authorized', data: { chargeId } });
    const res = await deliver(late, signedDelivery(late));
    expect(res.json()).toMatchObject({ outcome: 'ignored_stale', status: 'captured', paymentId });
  });

  it.each([
    ['unsigned', (_b: string) => ({ 'content-type': 'application/json' })],
    ['badly signed', (b: string) => signedDelivery(b, 'whsec_attacker')],
    ['stale', (b: string) => signedDelivery(b, 'whsec_current_test', new Date(Date.now() - 301_000))],
    [
      'from the future',
      (b: string) => signedDelivery(b, 'whsec_current_test', new Date(Date.now() + 301_000)),
    ],
  ])('refuses a %s delivery with 401 and stores nothing', async (_name, headers) => {
    const { orderId, chargeId, paymentId } = await authorized();
    const before = await storedEvents();
    const body = JSON.stringify({ id: `evt_${orderId}`, type: 'payment.captured', data: { chargeId } });
    const res = await deliver(body, headers(body) as Record<string, string>);
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('invalid_signature');
    expect(await storedEvents()).toBe(before);
    expect((await paymentClient(platform).getPayment(paymentId))?.status).toBe('authorized');
  });

  it('refuses a body altered after signing', async () => {
    const { orderId, chargeId } = await authorized();
    const body = JSON.stringify({
      id: `evt_${orderId}`,
      type: 'payment.captured',
      data: { chargeId, amount: '1' },
    });
    const res = await deliver(body.replace('"1"', '"2"'), signedDelivery(body));
    expect(res.statusCode).toBe(401);
  });

  it('answers 404 for an unknown provider or one without webhooks', async () => {
    const body = '{}';
    expect((await deliver(body, signedDelivery(body), 'stripe')).statusCode).toBe(404);
    expect((await deliver(body, signedDelivery(body), 'cod')).statusCode).toBe(404);
  });

  it('records an event for an unknown charge as failed so a redelivery can apply it', async () => {
    const body = JSON.stringify({
      id: 'evt_unknown_charge',
      type: 'payment.captured',
      data: { chargeId: 'ch_missing' },
    });
    expect((await deliver(body, signedDelivery(body))).statusCode).toBe(404);
    const row = await paymentDb(platform)
      .selectFrom('webhook_events')
      .select('status')
      .where('provider_event_id', '=', 'evt_unknown_charge')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect((await deliver(body, signedDelivery(body))).statusCode).toBe(404);
  });

  it('refuses a signed body that is not a testpay event with 400', async () => {
    const body = JSON.stringify({ hello: 'world' });
    const res = await deliver(body, signedDelivery(body));
    expect(res.statusCode).toBe(400);
  });
});
