/** A customer's points as other services see them. */
export interface LoyaltyBalance {
  customerId: string;
  balance: number;
  lifetimePoints: number;
  tier: string;
}

/** The loyalty service as other services see it. */
export interface LoyaltyClient {
  /** The customer's balance and tier; zeros for a customer without an account. */
  balanceOf(customerId: string): Promise<LoyaltyBalance>;
}
