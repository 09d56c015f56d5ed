import { requestCtx } from '../../../platform/context.js';
import { AppError, validationFailed } from '../../../platform/errors/app-error.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { IDEMPOTENCY_KEY_RE } from '../../../platform/idempotency/idempotency.js';
import { access } from '../../../platform/security/access.js';
import { hasPermission } from '../../../platform/security/principal.js';
import { runBulk } from '../app/bulk-orders.js';
import { type Canceller, cancelOrder } from '../app/cancel-order.js';
import { confirmCodOrder } from '../app/confirm-cod.js';
import type { LifecycleDeps } from '../app/deps.js';
import { getAdminOrder, listAdminOrders, listCustomerOrders } from '../app/order-queries.js';
import { getOwnedTracking } from '../app/order-tracking.js';
import { bulkBody, bulkHeaders, bulkResultSchema } from './bulk.schemas.js';
import { requesterOf } from './cart.routes.js';
import {
  adminOrderDetailSchema,
  adminOrderListQuery,
  adminOrderListSchema,
  cancelOrderBody,
  orderListQuery,
  orderListSchema,
  orderParams,
  orderSchema,
  ownerHeaders,
  trackingSchema,
} from './order.schemas.js';

const tags = ['orders'];
export const ORDERS_WRITE = 'orders:write';

/** Order reads and cancellation for owners and admins (03-api.md "Orders and returns"). */
export function registerOrderRoutes(app: HttpApp, deps: LifecycleDeps): void {
  app.get(
    '/orders',
    {
      config: { access: access.customer() },
      schema: {
        tags,
        summary: "The signed-in customer's orders, newest first",
        description:
          'Customers only (guests read a single order with its cart token at GET /orders/{id}). Keyset pages: ?limit= (≤ 100) and the opaque ?cursor= from nextCursor.',
        querystring: orderListQuery,
        response: { 200: orderListSchema },
      },
    },
    async (request) => listCustomerOrders(deps, request.principal!.id, request.query),
  );

  app.post(
    '/orders/:id/cancel',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Cancel an order',
        description: [
          `The owner (guest with the cart's X-Cart-Token, or the customer) within ORDER_CANCELLATION_WINDOW_MINUTES of placing it and before fulfillment started (pending, confirmed);`,
          `an admin with ${ORDERS_WRITE} until it shipped (pending, confirmed, processing).`,
          'Not the owner → 404; outside the window → 403 cancellation_window_expired; a status that can no longer be cancelled → 409 invalid_transition.',
          'Stock is released and the payment voided or refunded asynchronously (see docs/order-lifecycle.md).',
        ].join(' '),
        params: orderParams,
        headers: ownerHeaders,
        body: cancelOrderBody.optional(),
        response: { 200: orderSchema },
      },
    },
    async (request) => {
      const p = request.principal;
      let by: Canceller;
      if (p?.type === 'admin' || p?.type === 'shipper') {
        if (p.type !== 'admin' || !hasPermission(p.permissions, ORDERS_WRITE))
          throw new AppError('forbidden', 'forbidden', `Cancelling orders needs ${ORDERS_WRITE}`);
        by = { kind: 'admin', adminId: p.id };
      } else by = { kind: 'owner', who: requesterOf(request) };
      const reason =
        request.body?.reason ?? (by.kind === 'admin' ? 'cancelled_by_admin' : 'cancelled_by_customer');
      return cancelOrder(requestCtx(request), deps, request.params.id, by, reason);
    },
  );

  app.get(
    '/orders/:id/tracking',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: "An order's shipments with their tracking events",
        description:
          'The owner (guest with X-Cart-Token, or the customer); anyone else gets 404. Empty until the first parcel is handed to a carrier.',
        params: orderParams,
        headers: ownerHeaders,
        response: { 200: trackingSchema },
      },
    },
    async (request) => getOwnedTracking(deps, request.params.id, requesterOf(request)),
  );

  app.get(
    '/admin/orders',
    {
      config: { access: access.admin('orders:read') },
      schema: {
        tags,
        summary: 'List orders (admin)',
        description:
          'Filters: status, customerId, from/to (creation time, ISO 8601). Newest first, keyset pages.',
        querystring: adminOrderListQuery,
        response: { 200: adminOrderListSchema },
      },
    },
    async (request) => {
      const q = request.query;
      return listAdminOrders(
        deps,
        {
          status: q.status,
          customerId: q.customerId?.toLowerCase(),
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
        },
        { limit: q.limit, cursor: q.cursor },
      );
    },
  );

  app.get(
    '/admin/orders/:id',
    {
      config: { access: access.admin('orders:read') },
      schema: {
        tags,
        summary: 'Get an order with its payments (admin)',
        params: orderParams,
        response: { 200: adminOrderDetailSchema },
      },
    },
    async (request) => getAdminOrder(deps, request.params.id.toLowerCase()),
  );

  app.post(
    '/admin/orders/bulk',
    {
      config: { access: access.admin(ORDERS_WRITE) },
      schema: {
        tags,
        summary: 'Bulk order creation and status updates (B2B), one result per row',
        description: [
          'Rows: `create` (cart → checkout with cod or bank_transfer, the same rules as the storefront), `cancel` (as an admin), `confirm` (a pending COD order).',
          'Rows run in order, each on its own: a failed row never undoes or blocks another; 200 with per-row status and error.',
          'Creating needs an Idempotency-Key: sending the same request again answers with the orders already created.',
          'At most ORDER_BULK_MAX_ROWS rows (422 otherwise).',
        ].join(' '),
        headers: bulkHeaders,
        body: bulkBody,
        response: { 200: bulkResultSchema },
      },
    },
    async (request) => {
      const { operations } = request.body;
      const max = deps.config.ORDER_BULK_MAX_ROWS;
      if (operations.length > max)
        throw validationFailed(`At most ${max} rows per request`, [
          { path: 'body.operations', message: `has ${operations.length} rows; the limit is ${max}` },
        ]);
      const key = request.headers['idempotency-key'];
      if (key !== undefined && !IDEMPOTENCY_KEY_RE.test(key))
        throw validationFailed('Idempotency-Key must be 1-255 printable ASCII characters', [
          { path: 'headers.idempotency-key', message: 'must be 1-255 printable ASCII characters' },
        ]);
      if (key === undefined && operations.some((o) => o.op === 'create'))
        throw new AppError(
          'validation',
          'idempotency_key_required',
          'Creating orders needs an Idempotency-Key',
          {
            fields: [{ path: 'headers.idempotency-key', message: 'is required when a row creates an order' }],
          },
        );
      return runBulk(requestCtx(request), deps, request.principal!.id, key, operations);
    },
  );

  app.post(
    '/admin/orders/:id/confirm',
    {
      config: { access: access.admin(ORDERS_WRITE) },
      schema: {
        tags,
        summary: 'Confirm a pending cash-on-delivery order (operator verification)',
        description:
          'The manual path of COD confirmation (docs/order-lifecycle.md), e.g. when ORDER_COD_AUTO_CONFIRM is off. Only pending COD orders → 409 invalid_transition otherwise.',
        params: orderParams,
        response: { 200: orderSchema },
      },
    },
    async (request) => confirmCodOrder(requestCtx(request), deps, request.params.id.toLowerCase()),
  );
}
