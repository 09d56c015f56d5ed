import { requestCtx } from '../../../platform/context.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { toJson } from '../../../platform/money.js';
import { access } from '../../../platform/security/access.js';
import type { PaymentDeps } from '../app/deps.js';
import { handleWebhook } from '../app/handle-webhook.js';
import { markReceived } from '../app/mark-received.js';
import { type PaymentRow, paymentRepository } from '../data/payment.repository.js';
import {
  adminPayment,
  adminPaymentList,
  adminPaymentsQuery,
  paymentParams,
  webhookBody,
  webhookParams,
  webhookResponse,
} from './payment.schemas.js';

const tags = ['payments'];

export async function registerPaymentRoutes(app: HttpApp, deps: PaymentDeps): Promise<void> {
  // Webhooks in their own encapsulated scope: the body is kept as the raw string the provider
  // signed (OR-P0-04: the HMAC covers the exact bytes, so JSON must not be re-serialized first).
  // The parser change stays inside this scope and no other route sees it.
  await app.register(async (instance) => {
    const scoped = instance as HttpApp;
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scoped.post(
      '/payments/webhooks/:provider',
      {
        config: { access: access.public() },
        schema: {
          tags,
          summary: 'Receive a signed payment provider event',
          description:
            'Orderline-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">. Unsigned, badly signed or stale → 401 with nothing stored. An event id seen before with the same body replays the stored outcome; with a different body → 409.',
          params: webhookParams,
          body: webhookBody,
          response: { 200: webhookResponse },
        },
      },
      async (request) =>
        handleWebhook(requestCtx(request), deps, request.params.provider, request.body, request.headers),
    );
  });

  app.get(
    '/admin/payments',
    {
      config: { access: access.admin('payments:read') },
      schema: {
        tags,
        summary: "List an order's payments",
        querystring: adminPaymentsQuery,
        response: { 200: adminPaymentList },
      },
    },
    async (request) => {
      const rows = await paymentRepository.forOrder(deps.db, request.query.orderId.toLowerCase());
      return { items: rows.map(toAdminPayment) };
    },
  );

  app.post(
    '/admin/payments/:id/mark-received',
    {
      config: { access: access.admin('payments:write') },
      schema: {
        tags,
        summary: 'Record that an offline payment arrived (bank transfer received, COD cash collected)',
        description:
          'pending → captured for the full amount; publishes payments.payment.confirmed, on which the order confirms. Idempotent. Card payments → 409 invalid_transition.',
        params: paymentParams,
        response: { 200: adminPayment },
      },
    },
    async (request) => {
      const view = await markReceived(requestCtx(request), deps, request.params.id);
      const row = await paymentRepository.findById(deps.db, view.id);
      return toAdminPayment(row!);
    },
  );
}

function toAdminPayment(row: PaymentRow) {
  return {
    id: row.id,
    orderId: row.order_id,
    provider: row.provider,
    method: row.method,
    status: row.status,
    amount: toJson({ amount: row.amount, currency: row.currency }),
    capturedAmount: toJson({ amount: row.captured_amount, currency: row.currency }),
    refundedAmount: toJson({ amount: row.refunded_amount, currency: row.currency }),
    providerRef: row.provider_ref,
    failureCode: row.failure_code,
    failureReason: row.failure_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
