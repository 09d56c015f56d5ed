import type { Transaction, Updateable } from 'kysely';
import { actorId, type Ctx } from '../../../platform/context.js';
import { AppError, conflict, notFound } from '../../../platform/errors/app-error.js';
import { publish, transaction } from '../../../platform/eventing/index.js';
import { newId } from '../../../platform/ids.js';
import type { OrderRow } from '../data/order.repository.js';
import { orderRepository as orders } from '../data/order.repository.js';
import { type ReturnRow, returnRepository as returns } from '../data/return.repository.js';
import type { ReturnsTable } from '../data/return.tables.js';
import type { OrderDB } from '../data/tables.js';
import { isOwner, type Requester } from '../domain/cart-token.js';
import { checkReturnItems } from '../domain/return-items.js';
import { returnRefund } from '../domain/return-refund.js';
import {
  assertReturnTransition,
  OPEN_RETURN_STATUSES,
  type ReturnStatus,
  returnSourcesOf,
} from '../domain/return-status.js';
import { applyToOrder } from './order-transition.js';
import type { ReturnDeps } from './return-deps.js';
import { runReturnSteps } from './return-steps.js';
import { toAdminReturnView, toReturnView } from './return-view.js';

type Tx = Transaction<OrderDB>;

export interface ReturnRequestInput {
  items: { orderItemId: string; quantity: number }[];
  reason?: string | undefined;
}

/** Every status but rejected: what counts against the delivered units. */
const RETURN_STATUSES_NOT_REJECTED: readonly ReturnStatus[] = [...OPEN_RETURN_STATUSES, 'completed'];

const RETURNABLE = ['delivered', 'partially_returned'] as const;
type Returnable = (typeof RETURNABLE)[number];

/** Why an order cannot take a return now (the order-side rules of 04-services.md "Returns"). */
function assertReturnable(deps: ReturnDeps, o: OrderRow, now: Date): Returnable {
  if (o.status === 'return_requested')
    throw new AppError('conflict', 'return_in_progress', 'This order already has an open return', {
      extra: { orderStatus: o.status },
    });
  if (!(RETURNABLE as readonly string[]).includes(o.status) || !o.delivered_at)
    throw new AppError('conflict', 'invalid_transition', `A ${o.status} order cannot be returned`, {
      extra: { orderStatus: o.status },
    });
  const days = deps.config.ORDER_RETURN_WINDOW_DAYS;
  if (now.getTime() - o.delivered_at.getTime() > days * 86_400_000)
    throw new AppError(
      'forbidden',
      'return_window_expired',
      `Orders can be returned within ${days} days of delivery`,
    );
  return o.status as Returnable;
}

/**
 * POST /orders/{id}/returns (owner). In ONE transaction: the order moves to return_requested
 * (conditional update, so of two concurrent requests one wins and the other sees
 * return_in_progress; the partial unique index is the backstop), the quantities are checked
 * against the delivered units minus what non-rejected returns take back — read after the order row
 * is locked by that update — the refund is fixed (domain/return-refund.ts), and the return, its
 * items and `orders.return.requested` are written.
 */
export async function requestReturn(
  ctx: Ctx,
  deps: ReturnDeps,
  orderId: string,
  who: Requester,
  input: ReturnRequestInput,
) {
  const order = await orders.findOrder(deps.db, orderId);
  // G9: someone else's order answers exactly like a missing one.
  if (!order || !isOwner({ tokenHash: order.guest_token_hash, customerId: order.customer_id }, who))
    throw notFound('Order', orderId);
  const now = deps.clock.now();
  const id = newId();
  const created = await transaction(deps.db, async (tx) => {
    let before: Returnable = 'delivered';
    const moved = await applyToOrder(tx, orderId, now, (o) => {
      before = assertReturnable(deps, o, now);
      return { to: 'return_requested', reason: 'return_requested' };
    });
    if (!moved) throw notFound('Order', orderId);
    const items = await orders.listItems(tx, orderId);
    const taken = await returns.returnedQuantities(tx, orderId, RETURN_STATUSES_NOT_REJECTED);
    const check = checkReturnItems(
      items.map((i) => ({
        id: i.id,
        sku: i.sku,
        warehouseId: i.warehouse_id,
        quantity: i.quantity,
        unitPrice: i.unit_price,
      })),
      taken,
      input.items,
    );
    if (!check.ok)
      throw new AppError(
        'unprocessable',
        'return_items_invalid',
        'Some items cannot be returned; see errors',
        {
          fields: check.problems.map((p) => ({
            path: `body.items.${p.index}.${p.field}`,
            message: p.message,
          })),
        },
      );
    const refund = returnRefund(
      moved,
      check.lines.map((l) => ({ unitPrice: l.unitPrice, quantity: l.returnQuantity })),
      {
        completesOrder: check.completesOrder,
        refundedBefore: await returns.refundedByCompleted(tx, orderId),
      },
    );
    const row = {
      id,
      order_id: orderId,
      status: 'requested' as const,
      reason: input.reason ?? null,
      order_status_before: before,
      currency: moved.currency,
      refund_amount: refund,
      requested_by: who.customerId ? `customer:${who.customerId}` : 'guest',
      requested_at: now,
      updated_at: now,
    };
    const lines = check.lines.map((l) => ({
      return_id: id,
      order_item_id: l.id,
      sku: l.sku,
      warehouse_id: l.warehouseId,
      quantity: l.returnQuantity,
      unit_price: l.unitPrice,
    }));
    await returns.insert(tx, row, lines);
    await publish(tx, 'orders.return.requested', id, {
      returnId: id,
      orderId,
      customerId: moved.customer_id,
      items: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, warehouseId: l.warehouse_id })),
      reason: row.reason,
      occurredAt: now.toISOString(),
    });
    return returns.find(tx, id);
  });
  ctx.logger.info({ orderId, returnId: id }, 'return requested');
  return toReturnView(created!, await returns.listItems(deps.db, id));
}

/**
 * One conditional move of a return from the statuses the table allows; when nothing moved, tells
 * why: 404 for an unknown return, 409 invalid_transition for a status that cannot move there.
 */
async function moveReturn(
  tx: Tx,
  id: string,
  to: ReturnStatus,
  set: Updateable<ReturnsTable> & { updated_at: Date },
): Promise<ReturnRow> {
  const moved = await returns.changeStatus(tx, id, returnSourcesOf(to), to, set);
  if (moved) return moved;
  const current = await returns.find(tx, id);
  if (!current) throw notFound('Return', id);
  assertReturnTransition(current.status, to);
  throw conflict(`Return ${id} changed meanwhile; retry`);
}

async function adminView(deps: ReturnDeps, r: ReturnRow) {
  return toAdminReturnView(r, await returns.listItems(deps.db, r.id));
}

/** POST /admin/returns/{id}/approve: requested → approved, `orders.return.approved`. */
export async function approveReturn(ctx: Ctx, deps: ReturnDeps, id: string) {
  const now = deps.clock.now();
  const r = await transaction(deps.db, async (tx) => {
    const moved = await moveReturn(tx, id, 'approved', {
      approved_at: now,
      decided_by: actorId(ctx),
      updated_at: now,
    });
    const order = await orders.findOrder(tx, moved.order_id);
    await publish(tx, 'orders.return.approved', id, {
      returnId: id,
      orderId: moved.order_id,
      customerId: order?.customer_id ?? null,
      occurredAt: now.toISOString(),
    });
    return moved;
  });
  ctx.logger.info({ returnId: id }, 'return approved');
  return adminView(deps, r);
}

/**
 * POST /admin/returns/{id}/reject: requested | approved → rejected; the order goes back to the
 * status it had before the request (delivered or partially_returned), `orders.return.rejected`.
 */
export async function rejectReturn(ctx: Ctx, deps: ReturnDeps, id: string, reason: string | undefined) {
  const now = deps.clock.now();
  const r = await transaction(deps.db, async (tx) => {
    const moved = await moveReturn(tx, id, 'rejected', {
      rejected_at: now,
      reject_reason: reason ?? null,
      decided_by: actorId(ctx),
      updated_at: now,
    });
    const order = await applyToOrder(tx, moved.order_id, now, (o) => {
      // While a return is open its order is return_requested (nothing else moves it meanwhile).
      if (o.status !== 'return_requested')
        throw new AppError(
          'internal',
          'return_order_out_of_step',
          `Order ${o.id} is ${o.status} while its return ${id} is open`,
        );
      return { to: moved.order_status_before, reason: 'return_rejected' };
    });
    await publish(tx, 'orders.return.rejected', id, {
      returnId: id,
      orderId: moved.order_id,
      customerId: order?.customer_id ?? null,
      reason: moved.reject_reason,
      occurredAt: now.toISOString(),
    });
    return moved;
  });
  ctx.logger.info({ returnId: id }, 'return rejected');
  return adminView(deps, r);
}

/**
 * POST /admin/returns/{id}/receive: approved → received, and in the same transaction the two
 * compensable steps are armed (restock, and refund unless there is nothing to refund), due now.
 * They run right after the commit (kick) and, durably, from the return-compensation job.
 */
export async function receiveReturn(ctx: Ctx, deps: ReturnDeps, id: string) {
  const now = deps.clock.now();
  const r = await transaction(deps.db, async (tx) => {
    const current = await returns.find(tx, id);
    const nothingToRefund = current?.refund_amount === 0n;
    return moveReturn(tx, id, 'received', {
      received_at: now,
      received_by: actorId(ctx),
      restock_state: 'pending',
      refund_state: nothingToRefund ? 'done' : 'pending',
      refunded_at: nothingToRefund ? now : null,
      steps_next_at: now,
      updated_at: now,
    });
  });
  ctx.logger.info({ returnId: id }, 'return received; restock and refund armed');
  deps.kicks.kick(`return-steps:${id}`, async () => (await runReturnSteps(deps, id)) !== 'not_due');
  return adminView(deps, r);
}
