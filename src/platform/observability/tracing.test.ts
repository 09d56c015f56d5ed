import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/harness.js';
import { buildEnvelope } from '../outbox/outbox.publisher.js';
import { activeTraceparent, startEventHops, startTracing, tracingEnabled, withSpan } from './tracing.js';

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

describe('tracing', () => {
  it('is off by default: spans are plain calls and events get a fresh traceparent', async () => {
    expect(testConfig().OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(tracingEnabled()).toBe(false);
    expect(await withSpan('x', async () => 42)).toBe(42);
    expect(activeTraceparent()).toBeUndefined();
    const envelope = buildEnvelope('customer.updated', 'c', {
      customerId: '0190a0f4-7b7a-7cc1-9a55-3c1f8a0f4d11',
      changedFields: [],
      occurredAt: new Date().toISOString(),
    });
    expect(envelope.traceparent).toMatch(TRACEPARENT);
  });

  it('refuses a bad endpoint at configuration time', () => {
    expect(() => testConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
    expect(
      testConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).OTEL_EXPORTER_OTLP_ENDPOINT,
    ).toBe('http://collector:4318');
  });

  it('on: nests spans, continues an event trace, marks failures, and stops cleanly', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ serviceName: 'unit', exporter });
    try {
      expect(() => startTracing({ serviceName: 'again', exporter })).toThrow(/already started/);
      const inner = await withSpan('outer', () => withSpan('inner', async () => activeTraceparent()));
      const [innerSpan, outer] = exporter.getFinishedSpans();
      expect(innerSpan!.parentSpanContext?.spanId).toBe(outer!.spanContext().spanId);
      expect(inner).toBe(`00-${innerSpan!.spanContext().traceId}-${innerSpan!.spanContext().spanId}-01`);

      // An event hop continues the event's trace and hands on its own context.
      const hops = startEventHops([{ type: 't', id: 'e1', traceparent: inner! }], 'send', {});
      hops.end([new Error('broker down')]);
      const hop = exporter.getFinishedSpans()[2]!;
      expect(hop.parentSpanContext?.spanId).toBe(innerSpan!.spanContext().spanId);
      expect(hop.status.code).toBe(2);
      expect(hops.events[0]!.traceparent).toBe(
        `00-${hop.spanContext().traceId}-${hop.spanContext().spanId}-01`,
      );

      await expect(
        withSpan('failing', async () => Promise.reject(new Error('no')), { parent: inner }),
      ).rejects.toThrow('no');
      expect(exporter.getFinishedSpans()[3]!.status.code).toBe(2);
    } finally {
      await tracing.shutdown();
    }
    expect(tracingEnabled()).toBe(false);
    expect(await withSpan('after', async () => 'plain')).toBe('plain');
  });
});
