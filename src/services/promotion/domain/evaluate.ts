import { allocate } from '../../../platform/money-allocation.js';
import type { FailedCondition, RefusalReason } from '../contract/client.js';
import type { PromotionRule } from './promotion.js';
import { windowState } from './promotion.js';
import { resolveStacking } from './stacking.js';

/** A line in minor units of the cart's currency. */
export interface EvalLine {
  lineId: string;
  sku: string;
  category: string | null;
  quantity: number;
  unitPrice: bigint;
  lineTotal: bigint;
}

export interface EvalContext {
  currency: string;
  now: Date;
  customerId: string | null;
  firstOrder: boolean;
  /** The customer's segments; null when not looked up (no customer, or no segment condition). */
  segmentIds: ReadonlySet<string> | null;
  lines: readonly EvalLine[];
  /** Shipping price; null while no method is chosen. */
  shipping: bigint | null;
  /** Normalized codes the customer entered. */
  codes: readonly string[];
}

/** A rule's usage as stored: reserved + confirmed uses and discount, and this customer's uses. */
export interface UsageSnapshot {
  uses: number;
  discountUsed: bigint;
  customerUses: number;
}

export type RuleWithUsage = PromotionRule & { usage: UsageSnapshot };

export interface DiscountSplit {
  /** Per line, in the order of the context's lines. */
  lines: bigint[];
  shipping: bigint;
}

export interface Evaluation {
  applied: { rule: PromotionRule; split: DiscountSplit }[];
  refused: { code: string; reason: RefusalReason; condition?: FailedCondition }[];
}

const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** Lines the rule's sku/category condition selects (all lines when it names none). */
export function matchingLines(rule: PromotionRule, lines: readonly EvalLine[]): boolean[] {
  const skus = rule.conditions.skus ?? [];
  const categories = rule.conditions.categories ?? [];
  if (skus.length === 0 && categories.length === 0) return lines.map(() => true);
  return lines.map((l) => skus.includes(l.sku) || (l.category !== null && categories.includes(l.category)));
}

/**
 * The discount of one rule on what is left of each line and of shipping (PM-P0-02): never more
 * than a line's remaining amount nor the remaining shipping; percentages round down and their
 * total is spread over the lines exactly (largest remainder, ties to the earlier line).
 */
export function computeDiscount(
  rule: PromotionRule,
  lines: readonly EvalLine[],
  remaining: readonly bigint[],
  shippingRemaining: bigint,
): DiscountSplit {
  const eligible = matchingLines(rule, lines);
  const none = lines.map(() => 0n);
  const spread = (total: bigint): bigint[] => {
    const idx = lines.map((_, i) => i).filter((i) => eligible[i]);
    const shares = allocate(
      total,
      idx.map((i) => remaining[i]!),
    );
    const out = [...none];
    idx.forEach((i, k) => {
      out[i] = shares[k]!;
    });
    return out;
  };
  const base = sum(remaining.filter((_, i) => eligible[i]));
  switch (rule.type) {
    case 'percentage':
      return { lines: spread((base * rule.value) / 100n), shipping: 0n };
    case 'fixed':
      return { lines: spread(min(rule.value, base)), shipping: 0n };
    case 'free_shipping':
      return { lines: none, shipping: shippingRemaining };
    case 'buy_x_get_y': {
      // Per line: of every (buy + get) units, `get` are discounted by `value` percent.
      const group = (rule.buyQuantity ?? 1) + (rule.getQuantity ?? 1);
      const out = lines.map((l, i) => {
        if (!eligible[i]) return 0n;
        const free = BigInt(Math.floor(l.quantity / group) * (rule.getQuantity ?? 1));
        return min((free * l.unitPrice * rule.value) / 100n, remaining[i]!);
      });
      return { lines: out, shipping: 0n };
    }
  }
}

type Check = { ok: true } | { ok: false; reason: RefusalReason; condition?: FailedCondition };

/** Everything but stacking and budget: window, currency, customer, limits, conditions. */
export function checkEligibility(rule: RuleWithUsage, ctx: EvalContext): Check {
  const window = windowState(rule, ctx.now);
  if (window !== 'open') return { ok: false, reason: window };
  if (rule.currency !== null && rule.currency !== ctx.currency)
    return { ok: false, reason: 'currency_mismatch' };
  const c = rule.conditions;
  const needsCustomer =
    rule.perCustomerLimit !== null || c.firstOrder === true || (c.segments?.length ?? 0) > 0;
  if (needsCustomer && ctx.customerId === null) return { ok: false, reason: 'sign_in_required' };
  if (rule.usageLimit !== null && rule.usage.uses >= rule.usageLimit)
    return { ok: false, reason: 'limit_reached' };
  if (rule.perCustomerLimit !== null && rule.usage.customerUses >= rule.perCustomerLimit)
    return { ok: false, reason: 'customer_limit_reached' };
  if (rule.budget !== null && rule.usage.discountUsed >= rule.budget)
    return { ok: false, reason: 'budget_exhausted' };
  const notMet = (condition: FailedCondition): Check => ({
    ok: false,
    reason: 'condition_not_met',
    condition,
  });
  if (c.minSubtotal !== undefined && sum(ctx.lines.map((l) => l.lineTotal)) < c.minSubtotal)
    return notMet('min_subtotal');
  if (!matchingLines(rule, ctx.lines).some(Boolean)) return notMet('items');
  if (c.firstOrder === true && !ctx.firstOrder) return notMet('first_order');
  if ((c.segments?.length ?? 0) > 0 && !c.segments!.some((s) => ctx.segmentIds?.has(s) === true))
    return notMet('segment');
  return { ok: true };
}

/**
 * Evaluates automatic promotions and the entered codes on a cart (pure): eligibility, then the
 * budget against the rule's standalone discount (stacking only lowers it, so an applied rule never
 * passes its budget), then stacking resolution, then the discounts in application order, each on
 * what the earlier ones left. Only entered codes are reported as refused; an automatic promotion
 * that does not apply is simply absent. A rule whose discount comes to 0 is not applied, except free
 * shipping while no shipping method is chosen yet.
 */
export function evaluatePromotions(rules: readonly RuleWithUsage[], ctx: EvalContext): Evaluation {
  const refused: Evaluation['refused'] = [];
  const known = new Set(rules.map((r) => r.code).filter((c): c is string => c !== null));
  for (const code of ctx.codes) if (!known.has(code)) refused.push({ code, reason: 'unknown_code' });
  const entered = new Set(ctx.codes);
  const relevant = rules.filter((r) => r.code === null || entered.has(r.code));
  const fullLines = ctx.lines.map((l) => l.lineTotal);
  const shipping = ctx.shipping ?? 0n;
  const eligible: RuleWithUsage[] = [];
  for (const rule of relevant) {
    const check = checkEligibility(rule, ctx);
    if (!check.ok) {
      if (rule.code !== null)
        refused.push({
          code: rule.code,
          reason: check.reason,
          ...(check.condition ? { condition: check.condition } : {}),
        });
      continue;
    }
    if (rule.budget !== null) {
      const alone = computeDiscount(rule, ctx.lines, fullLines, shipping);
      if (rule.usage.discountUsed + sum(alone.lines) + alone.shipping > rule.budget) {
        if (rule.code !== null) refused.push({ code: rule.code, reason: 'budget_exhausted' });
        continue;
      }
    }
    eligible.push(rule);
  }
  const { applied, lost } = resolveStacking(eligible);
  for (const rule of lost)
    if (rule.code !== null) refused.push({ code: rule.code, reason: 'not_combinable' });
  const remaining = [...fullLines];
  let shippingLeft = shipping;
  const out: Evaluation['applied'] = [];
  for (const rule of applied) {
    const split = computeDiscount(rule, ctx.lines, remaining, shippingLeft);
    const total = sum(split.lines) + split.shipping;
    const pendingShipping = rule.type === 'free_shipping' && ctx.shipping === null;
    if (total === 0n && !pendingShipping) {
      if (rule.code !== null)
        refused.push({ code: rule.code, reason: 'condition_not_met', condition: 'items' });
      continue;
    }
    split.lines.forEach((d, i) => {
      remaining[i]! -= d;
    });
    shippingLeft -= split.shipping;
    out.push({ rule, split });
  }
  return { applied: out, refused };
}
