import { sql } from 'kysely';
import { defineConsumer } from '../../../platform/eventing/index.js';
import type { ShippingAddress } from '../../../platform/validation/address.js';
import { CHECKOUT_SCOPE } from '../app/deps.js';
import type { OrderDB } from '../data/tables.js';
import { anonymizeAddress } from '../domain/address-erasure.js';

/**
 * `customer.deleted` → anonymize every shipping address the order service holds for the customer
 * (G10): its orders, its carts and the checkout responses stored for Idempotency-Key replays, in
 * the inbox transaction (applied once per event, G4; re-running it is harmless anyway, the
 * anonymization being idempotent). Totals, items, statuses and returns stay: they carry no
 * personal data and the books and analytics need them.
 */
export const customerDeletedConsumer = () =>
  defineConsumer<'customer.deleted', OrderDB>({
    subscription: 'order.customer-deleted',
    topic: 'customer.deleted',
    async handle(tx, event, ctx) {
      const { customerId } = event.data;
      const orders = await tx
        .selectFrom('orders')
        .select(['id', 'shipping_address'])
        .where('customer_id', '=', customerId)
        .execute();
      for (const o of orders) {
        const anonymized = JSON.stringify(anonymizeAddress(o.shipping_address));
        await tx.updateTable('orders').set({ shipping_address: anonymized }).where('id', '=', o.id).execute();
        // The checkout's stored 201 (replayed for a retried request) is the order view with its address.
        await tx
          .updateTable('idempotency_keys')
          .set({
            response_body: sql`jsonb_set(response_body, '{shippingAddress}', ${anonymized}::jsonb)`,
          })
          .where('scope', '=', CHECKOUT_SCOPE)
          .where('resource_id', '=', o.id)
          .where(sql<boolean>`response_body -> 'shippingAddress' IS NOT NULL`)
          .execute();
      }
      // Their carts, guest carts merged at login included (the merge gives them the customer id).
      const carts = await tx
        .selectFrom('carts')
        .select(['id', 'shipping_address'])
        .where('customer_id', '=', customerId)
        .where('shipping_address', 'is not', null)
        .execute();
      for (const c of carts)
        await tx
          .updateTable('carts')
          .set({ shipping_address: JSON.stringify(anonymizeAddress(c.shipping_address as ShippingAddress)) })
          .where('id', '=', c.id)
          .execute();
      ctx.logger.info({ customerId, orders: orders.length, carts: carts.length }, 'customer data anonymized');
    },
  });
