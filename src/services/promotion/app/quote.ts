import { cacheKey, readThrough } from '../../../platform/cache/read-cache.js';
import type { Ctx } from '../../../platform/context.js';
import { money, zero } from '../../../platform/money.js';
import { allowsCache, type ReadOptions } from '../../../platform/read-options.js';
import {
  type AppliedPromotion,
  normalizeCode,
  type PromotionQuote,
  type PromotionQuoteRequest,
} from '../contract/client.js';
import { promotionRepository as promotions, toRule } from '../data/promotion.repository.js';
import { type EvalLine, evaluatePromotions, type RuleWithUsage } from '../domain/evaluate.js';
import type { PromotionDeps } from './deps.js';

/**
 * One cart evaluation (OR-P1-06): ONE read of the automatic promotions and the entered codes, one
 * read of the customer's counters, at most one segment lookup — whatever the number of lines —
 * then the pure evaluation (domain/evaluate.ts).
 */
export async function quotePromotions(
  ctx: Ctx,
  deps: PromotionDeps,
  request: PromotionQuoteRequest,
  opts?: ReadOptions,
): Promise<PromotionQuote> {
  const { currency } = request;
  const codes = [...new Set(request.codes.map(normalizeCode))];
  const { rows } = await readThrough(
    deps.rulesCache,
    cacheKey(...[...codes].sort()),
    allowsCache(opts),
    async () => ({
      rows: await promotions.forQuote(deps.db, codes),
    }),
  );
  const customerId = request.customerId;
  const perCustomer = rows.filter((r) => r.per_customer_limit !== null).map((r) => r.id);
  const customerUses =
    customerId && perCustomer.length > 0
      ? await promotions.customerUses(deps.db, perCustomer, customerId)
      : new Map<string, number>();
  const rules: RuleWithUsage[] = rows.map((row) => ({
    ...toRule(row),
    usage: {
      uses: row.uses,
      discountUsed: BigInt(row.discount_used),
      customerUses: customerUses.get(row.id) ?? 0,
    },
  }));
  const needsSegments = rules.some((r) => (r.conditions.segments?.length ?? 0) > 0);
  const segmentIds =
    customerId && needsSegments && deps.segments
      ? new Set(await deps.segments.segmentIdsOf(ctx, customerId))
      : null;
  const lines: EvalLine[] = request.lines.map((l) => ({
    lineId: l.lineId,
    sku: l.sku,
    category: l.category,
    quantity: l.quantity,
    unitPrice: l.unitPrice.amount,
    lineTotal: l.lineTotal.amount,
  }));
  const evaluation = evaluatePromotions(rules, {
    currency,
    now: deps.clock.now(),
    customerId,
    firstOrder: request.firstOrder,
    segmentIds,
    lines,
    shipping: request.shipping ? request.shipping.amount : null,
    codes,
  });
  const lineDiscounts = new Map(lines.map((l) => [l.lineId, 0n]));
  let shippingDiscount = 0n;
  const applied: AppliedPromotion[] = evaluation.applied.map(({ rule, split }) => {
    const goods = split.lines.reduce((a, b) => a + b, 0n);
    split.lines.forEach((d, i) => {
      const id = lines[i]!.lineId;
      lineDiscounts.set(id, lineDiscounts.get(id)! + d);
    });
    shippingDiscount += split.shipping;
    return {
      promotionId: rule.id,
      code: rule.code,
      name: rule.name,
      type: rule.type,
      amount: money(goods + split.shipping, currency),
      shippingAmount: money(split.shipping, currency),
      lines: lines.map((l, i) => ({ lineId: l.lineId, amount: money(split.lines[i]!, currency) })),
    };
  });
  const total = applied.reduce((a, p) => a + p.amount.amount, 0n);
  return {
    applied,
    refused: evaluation.refused,
    discount: total === 0n ? zero(currency) : money(total, currency),
    shippingDiscount: money(shippingDiscount, currency),
    lineDiscounts: new Map([...lineDiscounts].map(([id, d]) => [id, money(d, currency)])),
  };
}
