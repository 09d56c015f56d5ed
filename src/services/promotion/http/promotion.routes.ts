import { z } from 'zod';
import { requestCtx } from '../../../platform/context.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { encodeCursor } from '../../../platform/http/pagination.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import {
  createPromotion,
  deletePromotion,
  getPromotion,
  promotionStats,
  updatePromotion,
} from '../app/admin-promotions.js';
import type { PromotionDeps } from '../app/deps.js';
import { normalizeCode } from '../contract/client.js';
import { type PromotionRow, promotionRepository } from '../data/promotion.repository.js';
import {
  type Conditions,
  emptyRule,
  type PromotionType,
  type RuleInput,
  windowState,
} from '../domain/promotion.js';
import {
  type CreatePromotionBody,
  createPromotionBody,
  promotionListQuery,
  promotionListSchema,
  promotionParams,
  promotionSchema,
  promotionStatsSchema,
  type UpdatePromotionBody,
  updatePromotionBody,
} from './promotion.schemas.js';

const tags = ['promotion'];
const security = [{ bearer: [] }];
const READ = access.admin('promotions:read');
const WRITE = access.admin('promotions:write');

const percentTypes: ReadonlySet<PromotionType> = new Set(['percentage', 'buy_x_get_y']);

/** The wire value: a whole percent (number) or minor units (string) — as the contract spells it. */
function viewValue(type: PromotionType, value: bigint): number | string {
  return type === 'fixed' ? value.toString() : Number(value);
}

export function toPromotionView(row: PromotionRow, now: Date) {
  const window = windowState({ startsAt: row.starts_at, endsAt: row.ends_at }, now);
  return {
    id: row.id,
    code: row.code,
    automatic: row.code === null,
    name: row.name,
    type: row.type,
    value: viewValue(row.type, BigInt(row.value)),
    currency: row.currency,
    buyQuantity: row.buy_quantity,
    getQuantity: row.get_quantity,
    conditions: row.conditions,
    usageLimit: row.usage_limit,
    perCustomerLimit: row.per_customer_limit,
    budget: row.budget === null ? null : row.budget.toString(),
    startsAt: row.starts_at?.toISOString() ?? null,
    endsAt: row.ends_at?.toISOString() ?? null,
    stackable: row.stackable,
    priority: row.priority,
    state:
      window === 'open'
        ? ('active' as const)
        : window === 'not_started'
          ? ('scheduled' as const)
          : ('expired' as const),
    usage: { uses: row.uses, discountUsed: row.discount_used.toString() },
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** A value given for the wrong type's unit: a percent as a string or an amount as a number. */
function parseValue(type: PromotionType, value: number | string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  const wrong = percentTypes.has(type)
    ? typeof value === 'string'
    : type === 'fixed' && typeof value === 'number';
  if (wrong)
    throw new AppError('validation', 'invalid_promotion', 'value has the wrong form for the type', {
      fields: [
        {
          path: 'body.value',
          message: percentTypes.has(type)
            ? 'a percentage is a whole number such as 15'
            : 'a fixed amount is minor units as a string such as "500"',
        },
      ],
    });
  return BigInt(value);
}

const date = (v: string | null | undefined) =>
  v === undefined ? undefined : v === null ? null : new Date(v);

function conditionsOf(c: CreatePromotionBody['conditions']): Conditions {
  if (!c) return {};
  return {
    ...(c.minSubtotal !== undefined ? { minSubtotal: BigInt(c.minSubtotal) } : {}),
    ...(c.skus ? { skus: [...new Set(c.skus)] } : {}),
    ...(c.categories ? { categories: [...new Set(c.categories)] } : {}),
    ...(c.segments ? { segments: [...new Set(c.segments)] } : {}),
    ...(c.firstOrder !== undefined ? { firstOrder: c.firstOrder } : {}),
  };
}

/** A body (create: over defaults; PATCH: over the stored rule) as a rule; validated in app/. */
function mergeRule(base: RuleInput, b: UpdatePromotionBody): RuleInput {
  const type = b.type ?? base.type;
  const typeChanged = b.type !== undefined && b.type !== base.type;
  const given = parseValue(type, b.value);
  const defaultValue = type === 'free_shipping' ? 0n : type === 'buy_x_get_y' ? 100n : undefined;
  const value = given ?? (typeChanged ? defaultValue : base.value);
  if (value === undefined)
    throw new AppError('validation', 'invalid_promotion', `A ${type} promotion needs a value`, {
      fields: [{ path: 'body.value', message: 'required for this type' }],
    });
  const keep = <T>(v: T | undefined, current: T): T => (v === undefined ? current : v);
  return {
    code: b.code === undefined ? base.code : b.code === null ? null : normalizeCode(b.code),
    name: b.name ?? base.name,
    type,
    value,
    currency: keep(b.currency, base.currency),
    buyQuantity: keep(b.buyQuantity, base.buyQuantity),
    getQuantity: keep(b.getQuantity, base.getQuantity),
    conditions: b.conditions === undefined ? base.conditions : conditionsOf(b.conditions),
    usageLimit: keep(b.usageLimit, base.usageLimit),
    perCustomerLimit: keep(b.perCustomerLimit, base.perCustomerLimit),
    budget: b.budget === undefined ? base.budget : b.budget === null ? null : BigInt(b.budget),
    startsAt: keep(date(b.startsAt), base.startsAt),
    endsAt: keep(date(b.endsAt), base.endsAt),
    stackable: b.stackable ?? base.stackable,
    priority: b.priority ?? base.priority,
  };
}

const RULES =
  'Validation: percentage 0-100, fixed 1..PROMOTION_FIXED_MAX_AMOUNT minor units with a currency, minSubtotal and budget need the currency (400 invalid_promotion with the fields). A live promotion at the same priority with an overlapping window and a common currency, where one of the two is exclusive, is a 409 promotion_conflict listing the conflicting promotions in `conflicts`. A code used by another live promotion is 409 promotion_code_taken. Segment conditions without the customer segments are 400 segments_unavailable.';

export function registerPromotionRoutes(app: HttpApp, deps: PromotionDeps): void {
  const view = (row: PromotionRow) => toPromotionView(row, deps.clock.now());

  app.post(
    '/admin/promotions',
    {
      config: { access: WRITE },
      schema: {
        tags,
        security,
        summary: 'Create a promotion',
        description: `Without code the promotion is automatic: it applies to every cart that meets its conditions. ${RULES}`,
        body: createPromotionBody,
        response: { 201: promotionSchema },
      },
    },
    async (request, reply) => {
      const b = request.body;
      if (b.value === undefined && (b.type === 'percentage' || b.type === 'fixed'))
        throw new AppError('validation', 'invalid_promotion', `A ${b.type} promotion needs a value`, {
          fields: [{ path: 'body.value', message: 'required for this type' }],
        });
      const rule = mergeRule(emptyRule(b.type, b.name), b);
      const row = await createPromotion(requestCtx(request), deps, rule);
      return reply.status(201).header('location', `${app.prefix}/admin/promotions/${row.id}`).send(view(row));
    },
  );

  app.get(
    '/admin/promotions',
    {
      config: { access: READ },
      schema: {
        tags,
        security,
        summary: 'List live promotions, newest first',
        querystring: promotionListQuery,
        response: { 200: promotionListSchema },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await promotionRepository.list(deps.db, limit + 1, cursor);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(view),
        nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null,
      };
    },
  );

  app.get(
    '/admin/promotions/:id',
    {
      config: { access: READ },
      schema: {
        tags,
        security,
        summary: 'Get a promotion',
        params: promotionParams,
        response: { 200: promotionSchema },
      },
    },
    async (request) => view(await getPromotion(deps, request.params.id)),
  );

  app.patch(
    '/admin/promotions/:id',
    {
      config: { access: WRITE },
      schema: {
        tags,
        security,
        summary: 'Change a promotion',
        description: `Takes effect on the next cart evaluation (rules are data). The usage limit and budget cannot go below what is already used (409 usage_limit_below_uses / budget_below_used). ${RULES}`,
        params: promotionParams,
        body: updatePromotionBody,
        response: { 200: promotionSchema },
      },
    },
    async (request) => {
      const row = await updatePromotion(requestCtx(request), deps, request.params.id, (current) =>
        mergeRule(current, request.body),
      );
      return view(row);
    },
  );

  app.delete(
    '/admin/promotions/:id',
    {
      config: { access: WRITE },
      schema: {
        tags,
        security,
        summary: 'Delete a promotion',
        description:
          'It stops applying at once and its code is free again; orders that hold it keep their discount.',
        params: promotionParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await deletePromotion(requestCtx(request), deps, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/admin/promotions/:id/stats',
    {
      config: { access: READ },
      schema: {
        tags,
        security,
        summary: 'Usage, discount given and revenue of a promotion',
        description: 'Computed from the stored redemptions (PM-P1-02).',
        params: promotionParams,
        response: { 200: promotionStatsSchema },
      },
    },
    async (request) => {
      const { row, stats } = await promotionStats(deps, request.params.id);
      const primary =
        row.currency ??
        [...stats].sort((a, b) => b.uses - a.uses || (a.currency < b.currency ? -1 : 1))[0]?.currency ??
        null;
      const main = stats.find((s) => s.currency === primary);
      const fmt = (s: (typeof stats)[number]) => ({
        uses: s.uses,
        discountGiven: s.discountGiven.toString(),
        revenue: s.revenue.toString(),
        confirmedUses: s.confirmed,
        releasedUses: s.released,
      });
      return {
        uses: stats.reduce((n, s) => n + s.uses, 0),
        discountGiven: (main?.discountGiven ?? 0n).toString(),
        revenue: (main?.revenue ?? 0n).toString(),
        confirmedUses: stats.reduce((n, s) => n + s.confirmed, 0),
        releasedUses: stats.reduce((n, s) => n + s.released, 0),
        currency: primary,
        byCurrency: stats.map((s) => ({ currency: s.currency, ...fmt(s) })),
      };
    },
  );
}
