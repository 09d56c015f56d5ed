import { type Insertable, sql, type Transaction } from 'kysely';
import type { EventData, EventEnvelope, Topic } from '../../../contracts/index.js';
import { newId } from '../../../platform/ids.js';
import { table } from '../data/sql.js';
import type { AnalyticsDB, OrderFactsTable, PaymentFactKind, ProductsTable } from '../data/tables.js';
import type { PiiMasker } from '../domain/pii.js';

type Tx = Transaction<AnalyticsDB>;
type Events<T extends Topic> = readonly EventEnvelope<EventData<T>>[];

/**
 * Facts derived from lifecycle events, written with one multi-row statement per batch (SG-5).
 * Every statement is idempotent and order-insensitive: a redelivered or late event leaves the
 * same rows as the events in order (G4, G6).
 */
export async function applyOrderStatus(
  tx: Tx,
  events: Events<'orders.order.status_changed'>,
  pii: PiiMasker,
  now: Date,
): Promise<void> {
  // One row per order (a statement may not update a row twice): the newest sequence, and the
  // earliest time seen for placed_at.
  const byOrder = new Map<string, Insertable<OrderFactsTable>>();
  for (const e of events) {
    const d = e.data;
    const at = new Date(d.occurredAt);
    const seen = byOrder.get(d.orderId);
    const placedAt = seen && (seen.placed_at as Date) < at ? (seen.placed_at as Date) : at;
    if (!seen || seen.sequence < d.sequence)
      byOrder.set(d.orderId, {
        order_id: d.orderId,
        sequence: d.sequence,
        status: d.newStatus,
        customer_key: pii.customerKey(d.customerId),
        total_amount: d.total.amount,
        currency: d.total.currency,
        items: JSON.stringify(
          d.items.map((i) => ({
            sku: i.sku,
            productId: i.productId,
            quantity: i.quantity,
            unitPrice: i.unitPrice,
          })),
        ),
        placed_at: placedAt,
        status_at: at,
        updated_at: now,
      });
    else seen.placed_at = placedAt;
  }
  if (byOrder.size === 0) return;
  const newer = sql<boolean>`excluded.sequence > order_facts.sequence`;
  await tx
    .insertInto('order_facts')
    .values([...byOrder.values()])
    .onConflict((oc) =>
      oc.column('order_id').doUpdateSet({
        // G6: the state moves only to a newer sequence; placed_at keeps the earliest time.
        sequence: sql`GREATEST(order_facts.sequence, excluded.sequence)`,
        status: sql`CASE WHEN ${newer} THEN excluded.status ELSE order_facts.status END`,
        customer_key: sql`CASE WHEN ${newer} THEN excluded.customer_key ELSE order_facts.customer_key END`,
        total_amount: sql`CASE WHEN ${newer} THEN excluded.total_amount ELSE order_facts.total_amount END`,
        currency: sql`CASE WHEN ${newer} THEN excluded.currency ELSE order_facts.currency END`,
        items: sql`CASE WHEN ${newer} THEN excluded.items ELSE order_facts.items END`,
        status_at: sql`CASE WHEN ${newer} THEN excluded.status_at ELSE order_facts.status_at END`,
        placed_at: sql`LEAST(order_facts.placed_at, excluded.placed_at)`,
        updated_at: sql`excluded.updated_at`,
      }),
    )
    .execute();
}

const PAYMENT_KIND: Partial<Record<Topic, PaymentFactKind>> = {
  'payments.payment.authorized': 'authorized',
  'payments.payment.confirmed': 'captured',
  'payments.payment.failed': 'failed',
  'payments.payment.voided': 'voided',
};

export async function applyPayments(
  tx: Tx,
  topic: Topic,
  events: Events<'payments.payment.confirmed'> | Events<'payments.refund.completed'>,
): Promise<void> {
  const rows = events.map((e) => {
    const d = e.data as EventData<'payments.payment.confirmed'> &
      Partial<EventData<'payments.refund.completed'>>;
    const kind = topic === 'payments.refund.completed' ? 'refunded' : PAYMENT_KIND[topic]!;
    return {
      // Natural keys: one capture per payment, one row per refund (G4 beside the inbox).
      id: kind === 'refunded' ? `refund:${d.refundId}` : `${d.paymentId}:${kind}`,
      order_id: d.orderId,
      payment_id: d.paymentId,
      kind,
      amount: d.amount.amount,
      currency: d.amount.currency,
      method: d.method ?? null,
      occurred_at: new Date(d.occurredAt),
    };
  });
  if (rows.length === 0) return;
  await tx
    .insertInto('payment_facts')
    .values(rows)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function applyFulfillments(
  tx: Tx,
  events: Events<'fulfillments.fulfillment.status_changed'>,
): Promise<void> {
  if (events.length === 0) return;
  await tx
    .insertInto('fulfillment_steps')
    .values(
      events.map((e) => ({
        fulfillment_id: e.data.fulfillmentId,
        status: e.data.newStatus,
        order_id: e.data.orderId,
        warehouse_id: e.data.warehouseId,
        occurred_at: new Date(e.data.occurredAt),
      })),
    )
    .onConflict((oc) => oc.columns(['fulfillment_id', 'status']).doNothing())
    .execute();
}

export async function applyShipments(
  tx: Tx,
  events: Events<'shipping.shipment.status_changed'>,
): Promise<void> {
  if (events.length === 0) return;
  await tx
    .insertInto('shipment_steps')
    .values(
      events.map((e) => ({
        shipment_id: e.data.shipmentId,
        version: e.data.version,
        status: e.data.newStatus,
        order_id: e.data.orderId,
        carrier: e.data.carrierCode,
        occurred_at: new Date(e.data.occurredAt),
      })),
    )
    .onConflict((oc) => oc.columns(['shipment_id', 'version']).doNothing())
    .execute();
}

export async function applyReturns(
  tx: Tx,
  topic: Topic,
  events: Events<'orders.return.completed'> | Events<'orders.return.requested'>,
): Promise<void> {
  if (events.length === 0) return;
  const status = topic.slice('orders.return.'.length);
  await tx
    .insertInto('return_steps')
    .values(
      events.map((e) => {
        const d = e.data as Partial<EventData<'orders.return.completed'>> &
          EventData<'orders.return.approved'>;
        return {
          return_id: d.returnId,
          status,
          order_id: d.orderId,
          refund_amount: d.refund?.amount ?? null,
          currency: d.refund?.currency ?? null,
          units: (d.items ?? []).reduce((n, i) => n + i.quantity, 0),
          occurred_at: new Date(d.occurredAt),
        };
      }),
    )
    .onConflict((oc) => oc.columns(['return_id', 'status']).doNothing())
    .execute();
}

export async function applyProducts(
  tx: Tx,
  events: Events<'catalog.product.created'> | Events<'catalog.product.updated'>,
  now: Date,
): Promise<void> {
  const byProduct = new Map<string, Insertable<ProductsTable>>();
  for (const e of events) {
    const d = e.data as EventData<'catalog.product.created'> & { version?: number };
    const version = d.version ?? 1;
    const seen = byProduct.get(d.productId);
    if (!seen || seen.version < version)
      byProduct.set(d.productId, {
        product_id: d.productId,
        sku: d.sku,
        category: d.category,
        status: d.status,
        version,
        updated_at: now,
      });
  }
  if (byProduct.size === 0) return;
  await tx
    .insertInto('products')
    .values([...byProduct.values()])
    .onConflict((oc) =>
      oc
        .column('product_id')
        .doUpdateSet({
          sku: sql`excluded.sku`,
          category: sql`excluded.category`,
          status: sql`excluded.status`,
          version: sql`excluded.version`,
          updated_at: sql`excluded.updated_at`,
        })
        .where(sql.ref('products.version'), '<', sql.ref('excluded.version')),
    )
    .execute();
}

export async function applyCustomersCreated(
  tx: Tx,
  events: Events<'customer.created'>,
  pii: PiiMasker,
): Promise<void> {
  if (events.length === 0) return;
  await tx
    .insertInto('customers')
    .values(
      events.map((e) => ({
        customer_key: pii.customerKey(e.data.customerId)!,
        registered_at: new Date(e.data.occurredAt),
        status: 'active',
        erased_at: null,
      })),
    )
    .onConflict((oc) => oc.column('customer_key').doNothing())
    .execute();
}

/**
 * `customer.deleted` (G10): the customer's key is replaced everywhere by a random one, so the
 * counts stay true while nothing links the rows to the person any more (the HMAC of their id no
 * longer finds them). Runs after the batch's rows are written, so the deletion event's own row and
 * any earlier event of the same batch are covered too.
 */
export async function eraseCustomers(
  tx: Tx,
  events: Events<'customer.deleted'>,
  pii: PiiMasker,
  now: Date,
): Promise<void> {
  for (const e of events) {
    const key = pii.customerKey(e.data.customerId)!;
    const anonymous = `x_${newId().replaceAll('-', '')}`;
    await tx
      .updateTable('events')
      .set({
        customer_key: anonymous,
        subject: sql`CASE WHEN subject = ${key} THEN ${anonymous} ELSE subject END`,
      })
      .where('customer_key', '=', key)
      .execute();
    await tx
      .updateTable('order_facts')
      .set({ customer_key: anonymous })
      .where('customer_key', '=', key)
      .execute();
    await tx
      .insertInto('customers')
      .values({ customer_key: anonymous, registered_at: null, status: 'deleted', erased_at: now })
      .execute();
    await tx
      .updateTable('customers as c')
      .set({
        registered_at: sql`(SELECT registered_at FROM ${table('customers')} o WHERE o.customer_key = ${key})`,
      })
      .where('c.customer_key', '=', anonymous)
      .execute();
    await tx.deleteFrom('customers').where('customer_key', '=', key).execute();
  }
}
