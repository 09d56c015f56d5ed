import { requestCtx } from '../../../platform/context.js';
import { AppError, type ErrorKind, validationFailed } from '../../../platform/errors/app-error.js';
import { KIND_STATUS } from '../../../platform/errors/problem.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { IDEMPOTENCY_KEY_RE } from '../../../platform/idempotency/idempotency.js';
import { access } from '../../../platform/security/access.js';
import { checkout } from '../app/checkout.js';
import type { StoredProblem } from '../app/checkout.saga.js';
import type { OrderDeps } from '../app/deps.js';
import { getOwnedOrder } from '../app/order-view.js';
import { requesterOf } from './cart.routes.js';
import { checkoutBody, checkoutHeaders, orderParams, orderSchema, ownerHeaders } from './order.schemas.js';

const kindOf = (status: number): ErrorKind =>
  (Object.entries(KIND_STATUS).find(([, s]) => s === status)?.[0] as ErrorKind | undefined) ?? 'internal';

export function registerCheckoutRoutes(app: HttpApp, deps: OrderDeps): void {
  app.post(
    '/checkout',
    {
      config: { access: access.public() },
      schema: {
        tags: ['checkout'],
        summary: 'Check out a cart: reserve stock, authorize payment, create the order',
        description: [
          'Requires Idempotency-Key (400 idempotency_key_required) and the cart’s X-Cart-Token (404 otherwise).',
          'Same key and body → the same response (header Idempotent-Replayed: true); same key, other body → 422 idempotency_key_reused;',
          'same key while the first request runs → 409 idempotency_key_in_use. Errors: 409 out_of_stock (with unavailable),',
          '402 payment_declined, 503 payment_unavailable (Retry-After), 422 price_unavailable / cart_empty /',
          'shipping_address_required / shipping_method_required, 409 cart_not_active / cart_changed. See docs/checkout.md.',
        ].join(' '),
        headers: checkoutHeaders,
        body: checkoutBody,
        response: { 201: orderSchema },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      if (typeof key !== 'string' || key.length === 0)
        throw new AppError(
          'validation',
          'idempotency_key_required',
          'POST /checkout requires an Idempotency-Key header',
          {
            fields: [{ path: 'headers.idempotency-key', message: 'is required' }],
          },
        );
      if (!IDEMPOTENCY_KEY_RE.test(key))
        throw validationFailed('Idempotency-Key must be 1-255 printable ASCII characters', [
          { path: 'headers.idempotency-key', message: 'must be 1-255 printable ASCII characters' },
        ]);
      const { payment } = request.body;
      if (payment.method === 'card' && !payment.token)
        throw validationFailed('A card payment needs the token from the payment form', [
          { path: 'body.payment.token', message: 'is required for card payments' },
        ]);
      if (payment.method !== 'card' && payment.token !== undefined)
        throw validationFailed('Only card payments take a token', [
          { path: 'body.payment.token', message: `must be absent for ${payment.method}` },
        ]);
      const result = await checkout(requestCtx(request), deps, requesterOf(request), key, request.body);
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      const { status, body } = result.response;
      if (status >= 400) {
        // A stored failure (a decline) is replayed as the same problem document.
        const p = body as StoredProblem;
        throw new AppError(kindOf(status), p.code, p.detail, p.extra ? { extra: p.extra } : {});
      }
      return reply
        .status(201)
        .header('location', `${app.prefix}/orders/${(body as { id: string }).id}`)
        .send(body as never);
    },
  );

  app.get(
    '/orders/:id',
    {
      config: { access: access.public() },
      schema: {
        tags: ['orders'],
        summary: 'Get an order',
        description:
          'The guest who bought reads the order with the cart’s X-Cart-Token; a customer with their token. Anyone else gets 404.',
        params: orderParams,
        headers: ownerHeaders,
        response: { 200: orderSchema },
      },
    },
    async (request) => getOwnedOrder(deps, request.params.id, requesterOf(request)),
  );
}
