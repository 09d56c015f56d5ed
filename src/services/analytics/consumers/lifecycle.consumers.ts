import type { Transaction } from 'kysely';
import type { EventData, EventEnvelope, Topic } from '../../../contracts/index.js';
import { type AnyConsumerDeclaration, defineConsumer } from '../../../platform/eventing/index.js';
import type { AnalyticsDeps } from '../app/deps.js';
import { rowFromEnvelope } from '../app/event-rows.js';
import { insertEvents } from '../app/event-store.js';
import {
  applyCustomersCreated,
  applyFulfillments,
  applyOrderStatus,
  applyPayments,
  applyProducts,
  applyReturns,
  applyShipments,
  eraseCustomers,
} from '../app/facts.js';
import type { AnalyticsDB } from '../data/tables.js';

type Tx = Transaction<AnalyticsDB>;
// biome-ignore lint/suspicious/noExplicitAny: each fact writer narrows the payload to its topic
type AnyEvents = readonly EventEnvelope<any>[];
type FactWriter = (tx: Tx, events: AnyEvents, deps: AnalyticsDeps, now: Date) => Promise<void>;

const payments: FactWriter = (tx, events, _d) => applyPayments(tx, events[0]!.type as Topic, events);
const returns: FactWriter = (tx, events) => applyReturns(tx, events[0]!.type as Topic, events);
const none: FactWriter = async () => {};

/**
 * Every lifecycle topic that has a publisher today (04-services.md "analytics"), with the facts it
 * feeds; every one is also stored raw. Promotion usage, loyalty points and the review topics are
 * stored raw only (no aggregate reads them yet; docs/analytics.md).
 */
export const INGESTED_TOPICS: Partial<Record<Topic, FactWriter>> = {
  'orders.order.status_changed': (tx, e, d, now) => applyOrderStatus(tx, e, d.pii, now),
  'orders.return.requested': returns,
  'orders.return.approved': returns,
  'orders.return.rejected': returns,
  'orders.return.completed': returns,
  'payments.payment.authorized': payments,
  'payments.payment.confirmed': payments,
  'payments.payment.failed': payments,
  'payments.payment.voided': payments,
  'payments.refund.completed': payments,
  'fulfillments.fulfillment.status_changed': (tx, e) => applyFulfillments(tx, e),
  'fulfillments.fulfillment.sla_breach': none,
  'shipping.shipment.status_changed': (tx, e) => applyShipments(tx, e),
  'customer.created': (tx, e, d) => applyCustomersCreated(tx, e, d.pii),
  'customer.updated': none,
  'customer.status_changed': none,
  'customer.deleted': (tx, e, d, now) => eraseCustomers(tx, e, d.pii, now),
  'catalog.product.created': (tx, e, _d, now) => applyProducts(tx, e, now),
  'catalog.product.updated': (tx, e, _d, now) => applyProducts(tx, e, now),
  'pricing.price.changed': none,
  'warehouse.stock.low': none,
  'warehouse.stock.reconciled': none,
  'auth.login': none,
  'user.created': none,
  'user.updated': none,
  'user.deleted': none,
  'user.status_changed': none,
  'promotion.usage.changed': none,
  'loyalty.points.changed': none,
  'review.review.published': none,
  'review.review.removed': none,
};

/** `orders.order.status_changed` → `analytics.orders-order-status-changed`. */
export const subscriptionOf = (topic: string): string => `analytics.${topic.replaceAll(/[._]/g, '-')}`;

/**
 * Stores a batch of new events of ONE ingested topic raw and applies them to the facts, with one
 * multi-row statement each, in the caller's inbox transaction (G4), behind the storage circuit
 * breaker (SG-14). The bus consumers and the backfill both come through here.
 */
export const ingestTopicBatch =
  (deps: AnalyticsDeps) =>
  (tx: Tx, topic: Topic, events: AnyEvents): Promise<void> =>
    deps.storage.run(async () => {
      const facts = INGESTED_TOPICS[topic];
      if (!facts) throw new Error(`analytics does not ingest ${topic}`);
      const now = deps.clock.now();
      await insertEvents(
        tx,
        events.map((e) => rowFromEnvelope(e, deps.pii, now)),
      );
      await facts(tx, events, deps, now);
    });

/**
 * One subscription per topic through the platform's batched inbox path: a delivered batch's new
 * events go through `ingestTopicBatch`. A bad event never gets here: the platform validates
 * against the contract and dead-letters it with its error (Fix 10).
 */
export function lifecycleConsumers(deps: AnalyticsDeps, batchSize: number): AnyConsumerDeclaration[] {
  const ingest = ingestTopicBatch(deps);
  return Object.keys(INGESTED_TOPICS).map((name) => {
    const topic = name as Topic;
    return defineConsumer<Topic, AnalyticsDB>({
      subscription: subscriptionOf(topic),
      topic,
      batchSize,
      handle: (tx, event) => ingest(tx, topic, [event as EventEnvelope<EventData<Topic>>]),
      handleBatch: (tx, events) => ingest(tx, topic, events),
    }) as AnyConsumerDeclaration;
  });
}
