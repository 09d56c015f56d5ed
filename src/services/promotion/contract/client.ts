import type { EventHistory } from '../../../contracts/index.js';
import type { Ctx } from '../../../platform/context.js';
import type { Money } from '../../../platform/money.js';
import type { ReadOptions } from '../../../platform/read-options.js';

/** One cart or order line as the promotion service evaluates it (prices already quoted). */
export interface PromotionQuoteLine {
  /** The caller's line id; discounts come back keyed by it. */
  lineId: string;
  sku: string;
  /** The product's catalog category slug (categories condition). */
  category: string | null;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}

export interface PromotionQuoteRequest {
  currency: string;
  /** Null for a guest: per-customer limits, first-order and segment conditions need a customer. */
  customerId: string | null;
  /** Whether the customer has no order yet (the order service knows; first-order condition). */
  firstOrder: boolean;
  /** Codes the customer entered (normalized by the service); automatic promotions apply by themselves. */
  codes: readonly string[];
  lines: readonly PromotionQuoteLine[];
  /** The chosen shipping method's price; null while none is chosen. */
  shipping: Money | null;
}

/** Stable reasons a code is not applied (docs/promotions.md). */
export type RefusalReason =
  | 'unknown_code'
  | 'not_started'
  | 'expired'
  | 'currency_mismatch'
  | 'sign_in_required'
  | 'limit_reached'
  | 'customer_limit_reached'
  | 'budget_exhausted'
  | 'condition_not_met'
  | 'not_combinable';

/** Which condition failed when the reason is `condition_not_met`. */
export type FailedCondition = 'min_subtotal' | 'items' | 'first_order' | 'segment';

export interface AppliedPromotion {
  promotionId: string;
  /** Null for an automatic promotion. */
  code: string | null;
  name: string;
  type: 'percentage' | 'fixed' | 'free_shipping' | 'buy_x_get_y';
  /** Goods discount plus shipping discount. */
  amount: Money;
  shippingAmount: Money;
  lines: { lineId: string; amount: Money }[];
}

export interface RefusedCode {
  code: string;
  reason: RefusalReason;
  condition?: FailedCondition;
}

export interface PromotionQuote {
  /** In application order (priority, then age). */
  applied: AppliedPromotion[];
  /** Entered codes that do not apply now, each with its reason. */
  refused: RefusedCode[];
  /** Sum of every applied promotion: goods and shipping. */
  discount: Money;
  shippingDiscount: Money;
  /** Goods discount per line id (every requested line is present, 0 when none). */
  lineDiscounts: Map<string, Money>;
}

export interface ReserveRequest {
  /** The checkout / order id: reservations are idempotent per (promotion, order). */
  orderId: string;
  customerId: string | null;
  currency: string;
  /** The order total after discounts (stats: revenue). */
  orderTotal: Money;
  promotions: { promotionId: string; amount: Money }[];
}

export type ReserveResult =
  | { ok: true }
  | { ok: false; promotionId: string; code: string | null; reason: RefusalReason };

/** A promotion created through the client (demo seed); the admin API takes the full set of fields. */
export interface NewPromotion {
  /** Absent: automatic. */
  code?: string | undefined;
  name: string;
  type: 'percentage' | 'fixed' | 'free_shipping' | 'buy_x_get_y';
  /** Whole percent, or minor units for `fixed`. */
  value: bigint;
  currency?: string | undefined;
  conditions?: { minSubtotal?: bigint; skus?: string[]; categories?: string[] } | undefined;
  stackable?: boolean | undefined;
  priority?: number | undefined;
}

/**
 * The promotion service as carts and the checkout saga see it. `quote` is ONE call per cart
 * evaluation, whatever the number of lines (OR-P1-06). `reserve` takes usage for every promotion of
 * an order in one transaction (limit, per-customer limit and budget checked in one conditional
 * statement each: PM-P0-01); `release` gives it back; both are idempotent per order.
 */
export interface PromotionClient extends EventHistory {
  /**
   * `{ cached: true }` (cart views): the rules and their usage counters may come from the service's
   * cache (at most PROMOTION_RULES_CACHE_TTL_SECONDS old, dropped at once by a rule change in this
   * process); the checkout saga passes nothing and is decided on the database.
   */
  quote(ctx: Ctx, request: PromotionQuoteRequest, opts?: ReadOptions): Promise<PromotionQuote>;
  /** Normalized codes of `codes` that name a live (not deleted) promotion. */
  knownCodes(codes: readonly string[]): Promise<string[]>;
  reserve(ctx: Ctx, request: ReserveRequest): Promise<ReserveResult>;
  /** Releases the order's reserved (not yet confirmed) usage; a no-op when there is none. */
  release(ctx: Ctx, orderId: string, reason: string): Promise<void>;
  /** Validated and conflict-checked like POST /admin/promotions. */
  createPromotion(ctx: Ctx, input: NewPromotion): Promise<{ id: string }>;
}

/** Codes are compared upper-case without surrounding spaces. */
export const normalizeCode = (code: string): string => code.trim().toUpperCase();
