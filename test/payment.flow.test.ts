import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../src/platform/context.js';
import { bearer, loginAs, startTestPlatform, TEST_DATABASES, type TestPlatform } from './harness.js';
import {
  newOrderId,
  paymentClient,
  paymentDb,
  paymentEvents,
  usd,
  WEBHOOK_SECRETS,
} from './payment.fixtures.js';

/** Authorize, void, capture and refund through the payment client; the admin view over HTTP (G2). */
describe.each(TEST_DATABASES)('payment client (%s)', (kind) => {
  let platform: TestPlatform;
  let token: string;
  const ctx = () => systemCtx(platform.orderline.logger);

  beforeAll(async () => {
    platform = await startTestPlatform(kind, {
      services: ['user', 'auth', 'payment'],
      env: { PAYMENT_TESTPAY_WEBHOOK_SECRETS: WEBHOOK_SECRETS },
    });
    token = (await loginAs(platform.app)).accessToken;
  });
  afterAll(() => platform.close());

  const authorize = (
    orderId: string,
    tokenName: string | undefined,
    key = `checkout:${orderId}:authorize`,
    method: 'card' | 'cod' | 'bank_transfer' = 'card',
  ) =>
    paymentClient(platform).authorize(ctx(), {
      orderId,
      amount: usd(2599n),
      method,
      token: tokenName,
      idempotencyKey: key,
    });

  it('authorizes tok_visa and publishes payments.payment.authorized', async () => {
    const orderId = newOrderId();
    const result = await authorize(orderId, 'tok_visa');
    expect(result).toMatchObject({ ok: true, status: 'authorized', provider: 'testpay' });
    const view = await paymentClient(platform).getPayment(result.paymentId);
    expect(view).toMatchObject({
      orderId,
      status: 'authorized',
      amount: usd(2599n),
      capturedAmount: usd(0n),
    });
    expect(await paymentEvents(platform, orderId)).toEqual(['payments.payment.authorized']);
  });

  it('returns a decline for tok_declined and publishes payments.payment.failed', async () => {
    const orderId = newOrderId();
    const result = await authorize(orderId, 'tok_declined');
    expect(result).toMatchObject({ ok: false, reason: 'declined' });
    expect((await paymentClient(platform).getPayment(result.paymentId))?.status).toBe('failed');
    expect(await paymentEvents(platform, orderId)).toEqual(['payments.payment.failed']);
  });

  it('authorizes once per idempotency key, also for parallel repeats (G2)', async () => {
    const orderId = newOrderId();
    const key = `checkout:${orderId}:authorize`;
    const results = await Promise.all(Array.from({ length: 6 }, () => authorize(orderId, 'tok_visa', key)));
    const again = await authorize(orderId, 'tok_visa', key);
    const ids = new Set([...results, again].map((r) => r.paymentId));
    expect(ids.size).toBe(1);
    for (const r of [...results, again]) expect(r).toMatchObject({ ok: true, status: 'authorized' });
    const charges = await paymentDb(platform)
      .selectFrom('testpay_charges')
      .select('id')
      .where('order_id', '=', orderId)
      .execute();
    expect(charges).toHaveLength(1);
    const requests = await paymentDb(platform)
      .selectFrom('testpay_requests')
      .select('hits')
      .where('operation', '=', 'authorize')
      .where('idempotency_key', '=', key)
      .execute();
    // Parallel first calls may all reach the gateway (which deduplicates); the later repeat does not.
    expect(requests).toHaveLength(1);
    const hitsBefore = requests[0]!.hits;
    await authorize(orderId, 'tok_visa', key);
    const after = await paymentDb(platform)
      .selectFrom('testpay_requests')
      .select('hits')
      .where('idempotency_key', '=', key)
      .executeTakeFirstOrThrow();
    expect(after.hits).toBe(hitsBefore);
    expect(await paymentEvents(platform, orderId)).toEqual(['payments.payment.authorized']);
  });

  it('refuses the same key for a different request (422 idempotency_key_reused)', async () => {
    const orderId = newOrderId();
    const key = `checkout:${orderId}:authorize`;
    await authorize(orderId, 'tok_visa', key);
    await expect(
      paymentClient(platform).authorize(ctx(), {
        orderId,
        amount: usd(1n),
        method: 'card',
        token: 'tok_visa',
        idempotencyKey: key,
      }),
    ).rejects.toMatchObject({ code: 'idempotency_key_reused' });
  });

  it('registers cod and bank transfer as pending without events', async () => {
    const cod = newOrderId();
    const bank = newOrderId();
    expect(await authorize(cod, undefined, `k:${cod}`, 'cod')).toMatchObject({
      ok: true,
      status: 'pending',
      provider: 'cod',
    });
    expect(await authorize(bank, undefined, `k:${bank}`, 'bank_transfer')).toMatchObject({
      ok: true,
      status: 'pending',
    });
    expect(await paymentEvents(platform, cod)).toEqual([]);
    const res = await platform.app.inject({
      method: 'GET',
      url: `/api/v1/admin/payments?orderId=${bank}`,
      headers: bearer(token),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items[0]).toMatchObject({
      method: 'bank_transfer',
      status: 'pending',
      amount: { amount: '2599', currency: 'USD' },
    });
    expect(res.json().items[0].providerRef).toMatch(/^BT-/);
  });

  it('voids idempotently: one voided event, the hold released at the gateway', async () => {
    const orderId = newOrderId();
    const { paymentId } = await authorize(orderId, 'tok_visa');
    const client = paymentClient(platform);
    await Promise.all([
      client.void(ctx(), paymentId, `void:${orderId}`),
      client.void(ctx(), paymentId, `void:${orderId}`),
    ]);
    await client.void(ctx(), paymentId, `void:${orderId}:again`);
    expect((await client.getPayment(paymentId))?.status).toBe('voided');
    expect(await paymentEvents(platform, orderId)).toEqual([
      'payments.payment.authorized',
      'payments.payment.voided',
    ]);
    const charge = await paymentDb(platform)
      .selectFrom('testpay_charges')
      .select('status')
      .where('order_id', '=', orderId)
      .executeTakeFirstOrThrow();
    expect(charge.status).toBe('voided');
  });

  it('captures the amount passed, never more than authorized, once', async () => {
    const orderId = newOrderId();
    const { paymentId } = await authorize(orderId, 'tok_visa');
    const client = paymentClient(platform);
    await expect(client.capture(ctx(), paymentId, usd(2600n), `cap:${orderId}`)).rejects.toMatchObject({
      code: 'validation_failed',
    });
    const result = await client.capture(ctx(), paymentId, usd(2500n), `cap:${orderId}`);
    expect(result).toMatchObject({ ok: true, status: 'captured', capturedAmount: usd(2500n) });
    expect(await client.capture(ctx(), paymentId, usd(2500n), `cap:${orderId}`)).toMatchObject({ ok: true });
    await expect(client.void(ctx(), paymentId, `void:${orderId}`)).rejects.toMatchObject({
      code: 'invalid_transition',
    });
    expect(await paymentEvents(platform, orderId)).toEqual([
      'payments.payment.authorized',
      'payments.payment.confirmed',
    ]);
  });

  it('fails the payment when the gateway refuses the capture (tok_capture_fails)', async () => {
    const orderId = newOrderId();
    const { paymentId, ok } = await authorize(orderId, 'tok_capture_fails');
    expect(ok).toBe(true);
    const result = await paymentClient(platform).capture(ctx(), paymentId, usd(2599n), `cap:${orderId}`);
    expect(result).toMatchObject({ ok: false, reason: 'capture_failed' });
    expect((await paymentClient(platform).getPayment(paymentId))?.status).toBe('failed');
    expect(await paymentEvents(platform, orderId)).toEqual([
      'payments.payment.authorized',
      'payments.payment.failed',
    ]);
  });

  it('refunds partially then fully, never more than captured', async () => {
    const orderId = newOrderId();
    const client = paymentClient(platform);
    const { paymentId } = await authorize(orderId, 'tok_visa');
    await client.capture(ctx(), paymentId, usd(2599n), `cap:${orderId}`);
    const first = await client.refund(ctx(), paymentId, usd(599n), `ref:${orderId}:1`);
    expect(first).toMatchObject({ ok: true, status: 'partially_refunded', refundedAmount: usd(599n) });
    expect(await client.refund(ctx(), paymentId, usd(599n), `ref:${orderId}:1`)).toEqual(
      expect.objectContaining({ refundId: (first as { refundId: string }).refundId }),
    );
    await expect(client.refund(ctx(), paymentId, usd(2001n), `ref:${orderId}:2`)).rejects.toMatchObject({
      code: 'refund_exceeds_captured',
    });
    expect(await client.refund(ctx(), paymentId, usd(2000n), `ref:${orderId}:3`)).toMatchObject({
      status: 'refunded',
    });
    const events = await paymentEvents(platform, orderId);
    expect(events.filter((t) => t === 'payments.refund.completed')).toHaveLength(2);
  });

  it('expires bank transfers past the window and publishes payments.payment.failed', async () => {
    const orderId = newOrderId();
    const { paymentId } = await authorize(orderId, undefined, `k:${orderId}`, 'bank_transfer');
    // Age the payment past CHECKOUT_BANK_TRANSFER_WINDOW_HOURS (default 72) instead of waiting.
    await paymentDb(platform)
      .updateTable('payments')
      .set({ created_at: new Date(Date.now() - 73 * 3_600_000) })
      .where('id', '=', paymentId)
      .execute();
    const run = await platform.orderline.eventing.scheduler('payment')!.runNow('bank-transfer-expiry');
    expect(run).toMatchObject({ ran: true, status: 'succeeded' });
    expect((await paymentClient(platform).getPayment(paymentId))?.status).toBe('expired');
    expect(await paymentEvents(platform, orderId)).toEqual(['payments.payment.failed']);
  });

  it('reconciles a capture the provider made that we missed', async () => {
    const orderId = newOrderId();
    const { paymentId } = await authorize(orderId, 'tok_visa');
    await paymentDb(platform)
      .updateTable('testpay_charges')
      .set({ status: 'captured', captured_amount: 2599n })
      .where('order_id', '=', orderId)
      .execute();
    const run = await platform.orderline.eventing.scheduler('payment')!.runNow('reconciliation');
    expect(run).toMatchObject({ ran: true, status: 'succeeded' });
    expect(await paymentClient(platform).getPayment(paymentId)).toMatchObject({
      status: 'captured',
      capturedAmount: usd(2599n),
    });
    expect(await paymentEvents(platform, orderId)).toEqual([
      'payments.payment.authorized',
      'payments.payment.confirmed',
    ]);
  });

  it('lists payments only for admins with payments:read', async () => {
    const orderId = newOrderId();
    const anonymous = await platform.app.inject({
      method: 'GET',
      url: `/api/v1/admin/payments?orderId=${orderId}`,
    });
    expect(anonymous.statusCode).toBe(401);
    const bad = await platform.app.inject({
      method: 'GET',
      url: '/api/v1/admin/payments?orderId=nope',
      headers: bearer(token),
    });
    expect(bad.statusCode).toBe(400);
    const empty = await platform.app.inject({
      method: 'GET',
      url: `/api/v1/admin/payments?orderId=${orderId}`,
      headers: bearer(token),
    });
    expect(empty.json()).toEqual({ items: [] });
  });
});
