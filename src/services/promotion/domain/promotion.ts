import type { FieldError } from '../../../platform/errors/app-error.js';
import { INT8_MAX } from '../../../platform/money.js';

export const PROMOTION_TYPES = ['percentage', 'fixed', 'free_shipping', 'buy_x_get_y'] as const;
export type PromotionType = (typeof PROMOTION_TYPES)[number];

/** Conditions a cart must meet; every given condition must hold. */
export interface Conditions {
  /** Cart subtotal (before discounts) at least this many minor units of the promotion's currency. */
  minSubtotal?: bigint | undefined;
  /** Lines the promotion applies to: a line matches when its sku OR its category is listed. */
  skus?: readonly string[] | undefined;
  categories?: readonly string[] | undefined;
  /** The customer belongs to at least one of these segments. */
  segments?: readonly string[] | undefined;
  /** The customer has no earlier order. */
  firstOrder?: boolean | undefined;
}

/** A promotion rule as the domain sees it (rules are data, editable at run time: PM-P1-03). */
export interface PromotionRule {
  id: string;
  code: string | null;
  name: string;
  type: PromotionType;
  /** Whole percent (percentage, buy_x_get_y: percent off the free units), minor units (fixed), 0 (free_shipping). */
  value: bigint;
  currency: string | null;
  buyQuantity: number | null;
  getQuantity: number | null;
  conditions: Conditions;
  usageLimit: number | null;
  perCustomerLimit: number | null;
  budget: bigint | null;
  startsAt: Date | null;
  endsAt: Date | null;
  stackable: boolean;
  priority: number;
  createdAt: Date;
}

/** The fields an admin sets; validated as a whole after a PATCH is merged onto the stored rule. */
export type RuleInput = Omit<PromotionRule, 'id' | 'createdAt'>;

/**
 * A rule with nothing set but its type and name: no code, conditions, limits or window, exclusive,
 * priority 0. A percentage or fixed value is left invalid (-1) so a create must give one.
 */
export const emptyRule = (type: PromotionType, name: string): RuleInput => ({
  code: null,
  name,
  type,
  value: type === 'free_shipping' ? 0n : type === 'buy_x_get_y' ? 100n : -1n,
  currency: null,
  buyQuantity: null,
  getQuantity: null,
  conditions: {},
  usageLimit: null,
  perCustomerLimit: null,
  budget: null,
  startsAt: null,
  endsAt: null,
  stackable: false,
  priority: 0,
});

export const CODE_RE = /^[A-Z0-9][A-Z0-9_-]{2,31}$/;
export const PRIORITY_RANGE = { min: -1000, max: 1000 } as const;

/**
 * Semantic validation of a rule (PM-P0-02): percentage 0–100, a fixed amount from 1 to the
 * configured maximum and in a currency, amounts of a currency-bound condition or budget only with a
 * currency, buy-X-get-Y quantities, a window that ends after it starts. Returns every problem with
 * its body path (empty: valid).
 */
export function validateRule(rule: RuleInput, limits: { fixedMaxAmount: bigint }): FieldError[] {
  const errors: FieldError[] = [];
  const err = (path: string, message: string) => errors.push({ path: `body.${path}`, message });
  if (rule.code !== null && !CODE_RE.test(rule.code))
    err('code', 'must be 3-32 letters, digits, "-" or "_", starting with a letter or digit');
  if (rule.name.trim().length === 0 || rule.name.length > 200) err('name', 'must be 1-200 characters');
  switch (rule.type) {
    case 'percentage':
      if (rule.value < 0n || rule.value > 100n)
        err('value', 'a percentage must be a whole number from 0 to 100');
      break;
    case 'fixed':
      if (rule.value < 1n) err('value', 'a fixed discount must be at least 1 minor unit');
      else if (rule.value > limits.fixedMaxAmount)
        err('value', `a fixed discount may be at most ${limits.fixedMaxAmount} minor units`);
      if (rule.currency === null) err('currency', 'a fixed discount needs a currency');
      break;
    case 'free_shipping':
      if (rule.value !== 0n) err('value', 'free shipping takes no value (omit it or send 0)');
      break;
    case 'buy_x_get_y':
      if (rule.value < 1n || rule.value > 100n)
        err('value', 'the percent off the free units must be from 1 to 100 (100: free)');
      if (rule.buyQuantity === null || rule.buyQuantity < 1 || rule.buyQuantity > 1000)
        err('buyQuantity', 'buy_x_get_y needs buyQuantity from 1 to 1000');
      if (rule.getQuantity === null || rule.getQuantity < 1 || rule.getQuantity > 1000)
        err('getQuantity', 'buy_x_get_y needs getQuantity from 1 to 1000');
      break;
  }
  if (rule.type !== 'buy_x_get_y' && (rule.buyQuantity !== null || rule.getQuantity !== null))
    err('buyQuantity', 'buyQuantity and getQuantity belong to buy_x_get_y promotions only');
  const c = rule.conditions;
  if (c.minSubtotal !== undefined) {
    if (c.minSubtotal < 0n || c.minSubtotal > INT8_MAX) err('conditions.minSubtotal', 'out of range');
    if (rule.currency === null) err('currency', 'a minimum subtotal needs the promotion’s currency');
  }
  if (rule.budget !== null) {
    if (rule.budget < 1n) err('budget', 'must be at least 1 minor unit');
    if (rule.currency === null) err('currency', 'a budget needs the promotion’s currency');
  }
  if (rule.usageLimit !== null && rule.usageLimit < 1) err('usageLimit', 'must be at least 1');
  if (rule.perCustomerLimit !== null && rule.perCustomerLimit < 1)
    err('perCustomerLimit', 'must be at least 1');
  if (rule.priority < PRIORITY_RANGE.min || rule.priority > PRIORITY_RANGE.max)
    err('priority', `must be from ${PRIORITY_RANGE.min} to ${PRIORITY_RANGE.max}`);
  if (rule.startsAt && rule.endsAt && rule.endsAt.getTime() <= rule.startsAt.getTime())
    err('endsAt', 'must be after startsAt');
  return errors;
}

/** Whether the rule's window contains `now` (start inclusive, end exclusive). */
export function windowState(rule: Pick<PromotionRule, 'startsAt' | 'endsAt'>, now: Date) {
  if (rule.startsAt && now.getTime() < rule.startsAt.getTime()) return 'not_started' as const;
  if (rule.endsAt && now.getTime() >= rule.endsAt.getTime()) return 'expired' as const;
  return 'open' as const;
}
