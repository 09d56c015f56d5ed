import type { Transaction } from 'kysely';
import { AppError } from '../../../platform/errors/app-error.js';
import { publish } from '../../../platform/eventing/index.js';
import type { Logger } from '../../../platform/logging/logger.js';
import { money, toJson } from '../../../platform/money.js';
import { orderRepository as orders } from '../data/order.repository.js';
import { type ReturnRow, returnRepository as returns } from '../data/return.repository.js';
import type { OrderDB } from '../data/tables.js';
import { applyToOrder } from './order-transition.js';

type Tx = Transaction<OrderDB>;

/**
 * Completes a received return whose restock and refund are both done, in the caller's
 * transaction: return → completed (conditional, so the step runner and the refund consumer
 * complete it once between them), the order → `returned` when every delivered unit of it is now
 * back in completed returns, else `partially_returned`, and `orders.return.completed` with the
 * items (and the warehouse each came back to) and the refund. Undefined when not ready or done.
 * Lock order, on every returns path: the return's row, then its order's row — the step runner and
 * the refund consumer may complete at the same moment and must not deadlock (PostgreSQL).
 */
export async function completeReturnIfReady(
  tx: Tx,
  returnId: string,
  now: Date,
): Promise<ReturnRow | undefined> {
  const done = await returns.completeIfStepsDone(tx, returnId, now);
  if (!done) return undefined;
  const [orderItems, returned, items] = [
    await orders.listItems(tx, done.order_id),
    await returns.returnedQuantities(tx, done.order_id, ['completed']),
    await returns.listItems(tx, returnId),
  ];
  const all = orderItems.every((i) => (returned.get(i.id) ?? 0) >= i.quantity);
  const order = await applyToOrder(tx, done.order_id, now, (o) => {
    // While a return is open its order is return_requested (nothing else moves it meanwhile).
    if (o.status !== 'return_requested')
      throw new AppError(
        'internal',
        'return_order_out_of_step',
        `Order ${o.id} is ${o.status} while its return ${returnId} completes`,
      );
    return { to: all ? 'returned' : 'partially_returned', reason: 'return_completed' };
  });
  await publish(tx, 'orders.return.completed', returnId, {
    returnId,
    orderId: done.order_id,
    customerId: order?.customer_id ?? null,
    items: items.map((i) => ({ sku: i.sku, quantity: i.quantity, warehouseId: i.warehouse_id })),
    refund: toJson(money(done.refund_amount, done.currency)),
    occurredAt: now.toISOString(),
  });
  return done;
}

/**
 * `payments.refund.completed` for a return (inbox transaction, so no other service is called):
 * records the refund as done — unless the step runner already did — and completes the return when
 * its restock is done too. A duplicate or a refund for a return in another state changes nothing.
 */
export async function recordReturnRefund(
  tx: Tx,
  refund: { orderId: string; returnId: string; refundId: string },
  now: Date,
  logger: Logger,
): Promise<void> {
  const r = await returns.find(tx, refund.returnId);
  if (r?.order_id !== refund.orderId) {
    logger.warn(refund, 'refund names a return this order does not have; ignored');
    return;
  }
  if (await returns.markRefunded(tx, r.id, refund.refundId, now))
    logger.debug({ returnId: r.id }, 'return refund recorded from the payment event');
  await completeReturnIfReady(tx, r.id, now);
}
