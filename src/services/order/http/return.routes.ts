import { requestCtx } from '../../../platform/context.js';
import { withBodyFieldPaths } from '../../../platform/http/errors.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import type { ReturnDeps } from '../app/return-deps.js';
import { getAdminReturn, getOwnedReturn, listAdminReturns } from '../app/return-queries.js';
import { approveReturn, receiveReturn, rejectReturn, requestReturn } from '../app/returns.js';
import { requesterOf } from './cart.routes.js';
import { ORDERS_WRITE } from './order.routes.js';
import { orderParams, ownerHeaders } from './order.schemas.js';
import {
  adminReturnListQuery,
  adminReturnListSchema,
  adminReturnSchema,
  rejectReturnBody,
  requestReturnBody,
  returnParams,
  returnSchema,
} from './return.schemas.js';

const tags = ['returns'];
const OWNER =
  "The order's owner: the guest with the cart's X-Cart-Token, or the signed-in customer; anyone else gets 404.";

/** Returns (03-api.md "Orders and returns"; docs/order-lifecycle.md "Returns"). */
export function registerReturnRoutes(app: HttpApp, deps: ReturnDeps): void {
  app.post(
    '/orders/:id/returns',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Request a return of delivered items',
        description: [
          OWNER,
          'Only delivered (or partially returned) orders, within ORDER_RETURN_WINDOW_DAYS of delivery (403 return_window_expired), one open return at a time (409 return_in_progress); another status is 409 invalid_transition.',
          'Each quantity is at most what was delivered minus what other non-rejected returns take back; unknown, repeated or excessive items are 422 return_items_invalid with an error per item.',
          "The refund is fixed now: the goods' share of what was paid without shipping.",
        ].join(' '),
        params: orderParams,
        headers: ownerHeaders,
        body: requestReturnBody,
        response: { 201: returnSchema },
      },
    },
    async (request, reply) => {
      const view = await withBodyFieldPaths(() =>
        requestReturn(
          requestCtx(request),
          deps,
          request.params.id.toLowerCase(),
          requesterOf(request),
          request.body,
        ),
      );
      return reply.status(201).header('location', `${app.prefix}/returns/${view.id}`).send(view);
    },
  );

  app.get(
    '/returns/:id',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Get a return',
        description: OWNER,
        params: returnParams,
        headers: ownerHeaders,
        response: { 200: returnSchema },
      },
    },
    async (request) => getOwnedReturn(deps, request.params.id.toLowerCase(), requesterOf(request)),
  );

  app.get(
    '/admin/returns',
    {
      config: { access: access.admin('orders:read') },
      schema: {
        tags,
        summary: 'List returns (admin)',
        description: 'Filters: status, orderId. Newest first, keyset pages (?limit=&cursor=).',
        querystring: adminReturnListQuery,
        response: { 200: adminReturnListSchema },
      },
    },
    async (request) => {
      const q = request.query;
      return listAdminReturns(
        deps,
        { status: q.status, orderId: q.orderId?.toLowerCase() },
        { limit: q.limit, cursor: q.cursor },
      );
    },
  );

  app.get(
    '/admin/returns/:id',
    {
      config: { access: access.admin('orders:read') },
      schema: {
        tags,
        summary: 'Get a return with its steps (admin)',
        params: returnParams,
        response: { 200: adminReturnSchema },
      },
    },
    async (request) => getAdminReturn(deps, request.params.id.toLowerCase()),
  );

  app.post(
    '/admin/returns/:id/approve',
    {
      config: { access: access.admin(ORDERS_WRITE) },
      schema: {
        tags,
        summary: 'Approve a requested return',
        description: 'requested → approved; another status is 409 invalid_transition.',
        params: returnParams,
        response: { 200: adminReturnSchema },
      },
    },
    async (request) => approveReturn(requestCtx(request), deps, request.params.id.toLowerCase()),
  );

  app.post(
    '/admin/returns/:id/reject',
    {
      config: { access: access.admin(ORDERS_WRITE) },
      schema: {
        tags,
        summary: 'Reject a return',
        description:
          'requested | approved → rejected; the order goes back to the status it had before the request (delivered or partially_returned).',
        params: returnParams,
        body: rejectReturnBody.optional(),
        response: { 200: adminReturnSchema },
      },
    },
    async (request) =>
      rejectReturn(requestCtx(request), deps, request.params.id.toLowerCase(), request.body?.reason),
  );

  app.post(
    '/admin/returns/:id/receive',
    {
      config: { access: access.admin(ORDERS_WRITE) },
      schema: {
        tags,
        summary: 'Receive the goods of an approved return',
        description:
          'approved → received; restock (to the warehouse each unit shipped from) and refund then run as retried steps, and the return completes when both are done. Another status is 409 invalid_transition.',
        params: returnParams,
        response: { 200: adminReturnSchema },
      },
    },
    async (request) => receiveReturn(requestCtx(request), deps, request.params.id.toLowerCase()),
  );
}
