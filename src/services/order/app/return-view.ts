import { money, toJson } from '../../../platform/money.js';
import type { ReturnItemRow, ReturnRow } from '../data/return.repository.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The return as its owner sees it (201 of POST /orders/{id}/returns, GET /returns/{id}). */
export function toReturnView(r: ReturnRow, items: readonly ReturnItemRow[]) {
  return {
    id: r.id,
    orderId: r.order_id,
    status: r.status,
    items: items.map((i) => ({
      orderItemId: i.order_item_id,
      sku: i.sku,
      quantity: i.quantity,
      warehouseId: i.warehouse_id,
    })),
    reason: r.reason,
    rejectReason: r.reject_reason,
    refund: toJson(money(r.refund_amount, r.currency)),
    // null until the return is received (the steps are armed then).
    steps: { restock: r.restock_state, refund: r.refund_state },
    requestedAt: r.requested_at.toISOString(),
    approvedAt: iso(r.approved_at),
    rejectedAt: iso(r.rejected_at),
    receivedAt: iso(r.received_at),
    completedAt: iso(r.completed_at),
    updatedAt: r.updated_at.toISOString(),
  };
}

export type ReturnView = ReturnType<typeof toReturnView>;

/** What operators see beyond the owner's view: who decided, and how the steps are doing. */
export function toAdminReturnView(r: ReturnRow, items: readonly ReturnItemRow[]) {
  return {
    ...toReturnView(r, items),
    orderStatusBefore: r.order_status_before,
    requestedBy: r.requested_by,
    decidedBy: r.decided_by,
    receivedBy: r.received_by,
    stepDetails: {
      restock: { state: r.restock_state, attempts: r.restock_attempts, lastError: r.restock_last_error },
      refund: {
        state: r.refund_state,
        attempts: r.refund_attempts,
        lastError: r.refund_last_error,
        refundId: r.refund_id,
      },
      nextAttemptAt: iso(r.steps_next_at),
    },
  };
}
