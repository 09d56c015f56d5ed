import type { Ctx } from '../../../platform/context.js';
import { AppError, type FieldError } from '../../../platform/errors/app-error.js';
import { toProblem } from '../../../platform/errors/problem.js';
import { requestHash, withIdempotency } from '../../../platform/idempotency/idempotency.js';
import type { AddressInput } from '../../../platform/validation/address.js';
import type { Requester } from '../domain/cart-token.js';
import { cancelOrder } from './cancel-order.js';
import {
  addItem,
  createCart,
  loadOwnedCart,
  setShippingAddress,
  setShippingMethod,
  shippingOptions,
} from './cart.service.js';
import { checkout } from './checkout.js';
import type { StoredProblem } from './checkout.saga.js';
import { confirmCodOrder } from './confirm-cod.js';
import { idempotencyOptions, type LifecycleDeps } from './deps.js';
import type { OrderView } from './order-view.js';

export const BULK_SCOPE = 'order-bulk';

export type BulkOperation =
  | { op: 'cancel'; orderId: string; reason?: string | undefined }
  | { op: 'confirm'; orderId: string }
  | {
      op: 'create';
      /** The B2B buyer's customer account; without it the order is a guest order. */
      customerId?: string | undefined;
      currency: string;
      items: { sku: string; quantity: number }[];
      shippingAddress: AddressInput;
      /** A shipping option offered for the address; the cheapest one when absent. */
      shippingOptionId?: string | undefined;
      payment: { method: 'cod' | 'bank_transfer' };
    };

export type BulkRowResult =
  | { index: number; op: BulkOperation['op']; ok: true; status: number; orderId: string; orderStatus: string }
  | {
      index: number;
      op: BulkOperation['op'];
      ok: false;
      status: number;
      error: { code: string; detail: string; errors?: FieldError[] | undefined };
    };

/** One row's failure as the problem document it would have been on its own endpoint. */
function failed(index: number, op: BulkOperation['op'], err: unknown, ctx: Ctx): BulkRowResult {
  const p = toProblem(err);
  if (p.status >= 500) ctx.logger.error({ err, index, op }, 'bulk order row failed');
  const errors = (p as { errors?: FieldError[] }).errors?.map((f) => ({
    ...f,
    path: `body.operations.${index}.${f.path.replace(/^body\./, '')}`,
  }));
  return { index, op, ok: false, status: p.status, error: { code: p.code, detail: p.detail, errors } };
}

/**
 * A B2B order placed by an operator through the same steps a storefront takes (cart, items,
 * address, shipping method, checkout saga), so every rule of checkout holds (stock reserved
 * all-or-nothing, prices quoted, payment registered). Cash on delivery or bank transfer only: no
 * card form exists for an operator.
 */
async function createOne(
  ctx: Ctx,
  deps: LifecycleDeps,
  row: Extract<BulkOperation, { op: 'create' }>,
  checkoutKey: string,
): Promise<OrderView> {
  const created = await createCart(ctx, deps, { currency: row.currency }, row.customerId);
  const who: Requester = { cartToken: created.cartToken, customerId: row.customerId };
  const cartId = created.view.id;
  for (const item of row.items) await addItem(ctx, deps, cartId, who, item, undefined);
  await setShippingAddress(ctx, deps, cartId, who, row.shippingAddress, undefined);
  let optionId = row.shippingOptionId;
  if (!optionId) {
    const options = await shippingOptions(deps, await loadOwnedCart(deps, cartId, who));
    const cheapest = [...options].sort((a, b) => (a.price.amount < b.price.amount ? -1 : 1))[0];
    if (!cheapest)
      throw new AppError('unprocessable', 'no_shipping_option', 'No shipping option serves this address');
    optionId = cheapest.id;
  }
  await setShippingMethod(ctx, deps, cartId, who, optionId, undefined);
  const result = await checkout(ctx, deps, who, checkoutKey, { cartId, payment: row.payment });
  const { status, body } = result.response;
  if (status >= 400) {
    const p = body as StoredProblem;
    throw new AppError('unprocessable', p.code, p.detail, p.extra ? { extra: p.extra } : {});
  }
  return body as OrderView;
}

/**
 * POST /admin/orders/bulk (OR-P1-03): rows run one after another, each on its own — a failed row
 * never undoes or blocks the others — and each answers with its own status. A created order is
 * remembered per (Idempotency-Key, row index, row body), so sending the same request again
 * answers with the same orders instead of placing them twice (G2); failed rows run again.
 */
export async function runBulk(
  ctx: Ctx,
  deps: LifecycleDeps,
  adminId: string,
  key: string | undefined,
  operations: readonly BulkOperation[],
): Promise<{ results: BulkRowResult[]; summary: { succeeded: number; failed: number } }> {
  const results: BulkRowResult[] = [];
  for (const [index, row] of operations.entries()) {
    try {
      if (row.op === 'create') {
        if (!key)
          throw new AppError(
            'validation',
            'idempotency_key_required',
            'Creating orders needs an Idempotency-Key',
          );
        const rowKey = `${key}:${index}`;
        const outcome = await withIdempotency(
          deps.db,
          { scope: BULK_SCOPE, key: rowKey, requestHash: requestHash(row) },
          idempotencyOptions(deps),
          async () => ({ status: 201, body: await createOne(ctx, deps, row, `bulk:${rowKey}`) }),
        );
        const order = outcome.response.body as OrderView;
        results.push({
          index,
          op: row.op,
          ok: true,
          status: 201,
          orderId: order.id,
          orderStatus: order.status,
        });
      } else {
        const order =
          row.op === 'cancel'
            ? await cancelOrder(
                ctx,
                deps,
                row.orderId,
                { kind: 'admin', adminId },
                row.reason ?? 'cancelled_by_admin',
              )
            : await confirmCodOrder(ctx, deps, row.orderId);
        results.push({
          index,
          op: row.op,
          ok: true,
          status: 200,
          orderId: order.id,
          orderStatus: order.status,
        });
      }
    } catch (err) {
      results.push(failed(index, row.op, err, ctx));
    }
  }
  const succeeded = results.filter((r) => r.ok).length;
  return { results, summary: { succeeded, failed: results.length - succeeded } };
}
