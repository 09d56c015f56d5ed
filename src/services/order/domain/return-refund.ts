/**
 * What a return refunds, in exact integer minor units (bigint, never floating point).
 *
 * The order's refundable amount is everything the customer paid except shipping:
 * `refundable = total − shipping = subtotal − discount + tax`. A return refunds the share of it
 * that its goods make up of the subtotal, rounded down to the minor unit:
 * `floor(value × refundable / subtotal)`, `value = Σ unit_price × quantity` — so the goods carry
 * their share of the order's discount and tax. Rounding down on every partial return can leave a
 * few minor units behind; the return that brings the order to fully returned therefore refunds
 * exactly `refundable − what earlier completed returns refunded`, so a fully returned order is
 * refunded to the unit (no rounding dust) and never more. Shipping is never refunded.
 */
export interface OrderAmounts {
  subtotal: bigint;
  shipping: bigint;
  total: bigint;
}

export interface ReturnedLine {
  unitPrice: bigint;
  quantity: number;
}

export interface RefundContext {
  /** After this return, every delivered unit of the order is returned. */
  completesOrder: boolean;
  /** Σ refund of the order's earlier completed returns. */
  refundedBefore: bigint;
}

const max0 = (n: bigint): bigint => (n < 0n ? 0n : n);

/** What the whole order can give back: its total without shipping. */
export const refundableOf = (order: OrderAmounts): bigint => max0(order.total - order.shipping);

/** Σ unit_price × quantity of the returned lines. */
export const goodsValue = (lines: readonly ReturnedLine[]): bigint =>
  lines.reduce((sum, l) => sum + l.unitPrice * BigInt(l.quantity), 0n);

export function returnRefund(
  order: OrderAmounts,
  lines: readonly ReturnedLine[],
  context: RefundContext,
): bigint {
  const refundable = refundableOf(order);
  if (context.completesOrder) return max0(refundable - context.refundedBefore);
  if (order.subtotal <= 0n) return 0n;
  const share = (goodsValue(lines) * refundable) / order.subtotal; // non-negative: `/` is floor
  // Never more than is left, whatever earlier returns took.
  const left = max0(refundable - context.refundedBefore);
  // (bigint: Math.min does not apply)
  if (share > left) return left;
  return share;
}
