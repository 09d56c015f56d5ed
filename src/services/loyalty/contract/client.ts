import type { EventHistory } from '../../../contracts/index.js';
import type { Ctx } from '../../../platform/context.js';

/** A customer's points as other services see them. */
export interface LoyaltyBalance {
  customerId: string;
  balance: number;
  lifetimePoints: number;
  tier: string;
}

/** Points held as a discount for one order. */
export interface Redemption {
  orderId: string;
  points: number;
  /** Minor units of the order's currency. */
  discount: { amount: string; currency: string };
  status: 'held' | 'released';
}

/** The loyalty service as other services see it. */
export interface LoyaltyClient extends EventHistory {
  /** The customer's balance and tier; zeros for a customer without an account. */
  balanceOf(customerId: string): Promise<LoyaltyBalance>;
  /**
   * Redeems points for an order as a discount (the checkout saga's step): idempotent per order;
   * 409 insufficient_points, 422 points_exceed_order when worth more than `maxDiscount` minor units.
   */
  redeem(
    ctx: Ctx,
    input: { customerId: string; orderId: string; points: number; currency: string; maxDiscount: bigint },
  ): Promise<Redemption>;
  /** Gives the order's held points back (its compensation); a no-op when none are held. */
  releaseRedemption(ctx: Ctx, orderId: string, reason: string): Promise<void>;
}
