import { notFound } from '../../../platform/errors/app-error.js';
import { encodeCursor } from '../../../platform/http/pagination.js';
import { orderRepository as orders } from '../data/order.repository.js';
import {
  type ReturnFilter,
  type ReturnItemRow,
  returnRepository as returns,
} from '../data/return.repository.js';
import { isOwner, type Requester } from '../domain/cart-token.js';
import type { OrderDeps } from './deps.js';
import { toAdminReturnView, toReturnView } from './return-view.js';

/** GET /returns/{id}: the owner of the return's order only; anyone else gets 404 (G9). */
export async function getOwnedReturn(deps: OrderDeps, id: string, who: Requester) {
  const r = await returns.find(deps.db, id);
  const order = r && (await orders.findOrder(deps.db, r.order_id));
  if (!r || !order || !isOwner({ tokenHash: order.guest_token_hash, customerId: order.customer_id }, who))
    throw notFound('Return', id);
  return toReturnView(r, await returns.listItems(deps.db, id));
}

/** GET /admin/returns/{id}. */
export async function getAdminReturn(deps: OrderDeps, id: string) {
  const r = await returns.find(deps.db, id);
  if (!r) throw notFound('Return', id);
  return toAdminReturnView(r, await returns.listItems(deps.db, id));
}

/** GET /admin/returns?status=&orderId=: newest first, keyset pages, items in one statement. */
export async function listAdminReturns(
  deps: OrderDeps,
  filter: ReturnFilter,
  page: { limit: number; cursor?: string | undefined },
) {
  const rows = await returns.page(deps.db, filter, page.cursor, page.limit);
  const more = rows.length > page.limit;
  const shown = more ? rows.slice(0, page.limit) : rows;
  const items = await returns.listItemsOf(
    deps.db,
    shown.map((r) => r.id),
  );
  const byReturn = new Map<string, ReturnItemRow[]>();
  for (const i of items) byReturn.set(i.return_id, [...(byReturn.get(i.return_id) ?? []), i]);
  return {
    items: shown.map((r) => toAdminReturnView(r, byReturn.get(r.id) ?? [])),
    nextCursor: more ? encodeCursor(shown.at(-1)!.id) : null,
  };
}
