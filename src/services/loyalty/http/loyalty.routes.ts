import type { FastifyRequest } from 'fastify';
import { requestCtx } from '../../../platform/context.js';
import { AppError, notFound, validationFailed } from '../../../platform/errors/app-error.js';
import { encodeCursor } from '../../../platform/http/pagination.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { IDEMPOTENCY_KEY_RE } from '../../../platform/idempotency/idempotency.js';
import { isUuid } from '../../../platform/ids.js';
import { access } from '../../../platform/security/access.js';
import { accountView } from '../app/account-view.js';
import { adjustPoints } from '../app/adjust.js';
import type { LoyaltyDeps } from '../app/deps.js';
import {
  accountSchema,
  adjustmentBody,
  adjustmentSchema,
  customerParams,
  historyQuery,
} from './loyalty.schemas.js';

const security = [{ bearer: [] }];

function me(request: FastifyRequest): string {
  const p = request.principal;
  if (p?.type !== 'customer') throw new AppError('forbidden', 'forbidden', 'Customers only');
  return p.id;
}

function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY_RE.test(key))
    throw validationFailed('Idempotency-Key must be 1-255 printable ASCII characters', [
      { path: 'headers.idempotency-key', message: 'is invalid' },
    ]);
  return key;
}

export function registerLoyaltyRoutes(app: HttpApp, deps: LoyaltyDeps): void {
  const view = async (customerId: string, limit: number, before: string | undefined) => {
    const v = await accountView(deps.db, deps.settings, customerId, { limit, before });
    const { lastId, ...rest } = v;
    return { ...rest, history: { items: v.history.items, nextCursor: lastId ? encodeCursor(lastId) : null } };
  };

  app.get(
    '/loyalty/me',
    {
      config: { access: access.customer() },
      schema: {
        tags: ['loyalty'],
        security,
        summary: 'My points: balance, tier, lifetime points and history',
        description:
          'Only the signed-in customer’s own account (G9). History newest first, cursor-paginated.',
        querystring: historyQuery,
        response: { 200: accountSchema },
      },
    },
    async (request) => view(me(request), request.query.limit, request.query.cursor),
  );

  app.get(
    '/admin/loyalty/accounts/:customerId',
    {
      config: { access: access.admin('loyalty:read') },
      schema: {
        tags: ['loyalty (admin)'],
        security,
        summary: "A customer's points and history",
        params: customerParams,
        querystring: historyQuery,
        response: { 200: accountSchema },
      },
    },
    async (request) => {
      const { customerId } = request.params;
      if (!isUuid(customerId)) throw notFound('Loyalty account', customerId.slice(0, 64));
      return view(customerId, request.query.limit, request.query.cursor);
    },
  );

  app.post(
    '/admin/loyalty/accounts/:customerId/adjustments',
    {
      config: { access: access.admin('loyalty:write') },
      schema: {
        tags: ['loyalty (admin)'],
        security,
        summary: 'Adjust a customer’s points by hand (audited)',
        description:
          'Signed points with a reason, recorded with the acting admin. A debit below zero is 409 insufficient_points. An optional Idempotency-Key makes a retry apply once (200 with the same transaction); the same key with another body is 422 idempotency_key_reused.',
        params: customerParams,
        body: adjustmentBody,
        response: { 201: adjustmentSchema, 200: adjustmentSchema },
      },
    },
    async (request, reply) => {
      const { transaction: t, replayed } = await adjustPoints(
        requestCtx(request),
        deps,
        request.params.customerId,
        request.body,
        idempotencyKey(request),
      );
      return reply.code(replayed ? 200 : 201).send({
        id: t.id,
        kind: t.kind,
        points: Number(t.points),
        balanceAfter: Number(t.balance_after),
        orderId: t.order_id,
        shortfall: Number(t.shortfall),
        reason: t.reason,
        occurredAt: t.occurred_at.toISOString(),
        actor: t.actor,
      });
    },
  );
}
