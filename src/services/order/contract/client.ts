/** An order as other services see it (the owner-facing view lives in the HTTP API). */
export interface OrderSummary {
  id: string;
  status: string;
  paymentStatus: string;
  paymentId: string;
  reservationId: string;
  customerId: string | null;
  currency: string;
  total: { amount: string; currency: string };
  sequence: number;
}

/** The order service as other services see it. */
export interface OrderClient {
  getOrder(orderId: string): Promise<OrderSummary | undefined>;
}
