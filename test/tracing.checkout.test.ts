import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../src/platform/eventing/eventing.fixtures.js';
import { startTracing, type Tracing } from '../src/platform/observability/tracing.js';
import { TEST_DATABASES } from './harness.js';
import { card, type OrderWorld, startOrderWorld } from './order.fixtures.js';

/**
 * One checkout is one trace (01-platform.md "Observability", issue 19): the HTTP request span, the
 * saga under it, the transaction and the outbox append under the saga, the relay's send under the
 * append, each consumer's processing under the send — and what those consumers publish continues
 * the same trace (capture requested → payment confirmed → order confirmed).
 */
describe.each(TEST_DATABASES)('tracing across the bus (%s)', (kind) => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let w: OrderWorld;

  beforeAll(async () => {
    // Started before the platform, as OTEL_EXPORTER_OTLP_ENDPOINT would, but exporting in memory.
    tracing = startTracing({ serviceName: 'orderline-test', exporter });
    w = await startOrderWorld(kind);
    await w.product('TRC-A', '1500', 10);
  });
  afterAll(async () => {
    await w?.close();
    await tracing?.shutdown();
  });

  const spans = () => exporter.getFinishedSpans();
  const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
  const byName = (name: string, traceId: string) =>
    spans().filter((s) => s.name === name && s.spanContext().traceId === traceId);
  /** True when `child` is `ancestor` or below it. */
  const under = (child: ReadableSpan, ancestor: ReadableSpan): boolean => {
    const index = new Map(spans().map((s) => [s.spanContext().spanId, s]));
    for (let s: ReadableSpan | undefined = child; s; s = index.get(parentOf(s) ?? '')) {
      if (s.spanContext().spanId === ancestor.spanContext().spanId) return true;
    }
    return false;
  };

  it('links HTTP → saga → transaction → outbox → bus → consumers in one trace', async () => {
    const o = await w.checkout([['TRC-A', 1]], card());
    await w.waitForOrder(o, 'confirmed', (b) => b.status === 'confirmed');

    const http = spans().find((s) => s.name === 'POST /api/v1/checkout');
    expect(
      http,
      spans()
        .map((s) => s.name)
        .join(', '),
    ).toBeDefined();
    const traceId = http!.spanContext().traceId;
    expect(parentOf(http!)).toBeUndefined();

    const [saga] = byName('checkout saga', traceId);
    expect(saga && parentOf(saga)).toBe(http!.spanContext().spanId);
    expect(byName('db.transaction', traceId).some((t) => under(t, saga!))).toBe(true);

    // The order's first status event: appended under the saga, sent by the relay, processed by
    // every subscriber of the topic.
    const [append] = byName('orders.order.status_changed publish', traceId);
    expect(append && under(append, saga!)).toBe(true);
    const send = byName('orders.order.status_changed send', traceId).find(
      (s) => parentOf(s) === append!.spanContext().spanId,
    );
    expect(send).toBeDefined();
    await waitFor(
      () =>
        byName('orders.order.status_changed process', traceId).filter(
          (s) => parentOf(s) === send!.spanContext().spanId,
        ).length >= 3,
      'payment, shipping and warehouse processed it under the send',
    );
    const processed = byName('orders.order.status_changed process', traceId).filter(
      (s) => parentOf(s) === send!.spanContext().spanId,
    );
    const consumers = processed.map((s) => s.attributes['messaging.consumer.group.name']);
    // Payment and shipping act on `cancelled` only: they skip this event (their `accepts`), and
    // the trace says so; the warehouse applies it.
    const skipped = (group: string) =>
      processed.find((s) => s.attributes['messaging.consumer.group.name'] === group)?.attributes[
        'orderline.consumer.skipped'
      ] === true;
    expect([skipped('payment.order-cancelled'), skipped('shipping.order-cancelled')]).toEqual([true, true]);
    expect(skipped('warehouse.order-status')).toBe(false);
    expect(consumers).toEqual(
      expect.arrayContaining([
        'payment.order-cancelled',
        'warehouse.order-status',
        'shipping.order-cancelled',
      ]),
    );

    // Capture: requested in the checkout, processed by the order's worker, which confirmed the
    // payment; the payment's event came back to the order service — all the same trace.
    const [capture] = byName('orders.payment.capture_requested process', traceId);
    expect(capture && under(capture, saga!)).toBe(true);
    await waitFor(
      () => byName('payments.payment.confirmed process', traceId).length > 0,
      'payments.payment.confirmed processed in the checkout trace',
    );
    const [confirmed] = byName('payments.payment.confirmed process', traceId);
    expect(under(confirmed!, http!)).toBe(true);
    expect(confirmed!.attributes['messaging.consumer.group.name']).toMatch(/^order\./);
  });
});
