import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry tracing (01-platform.md "Observability"): a span per HTTP request, per database
 * transaction, per event appended to an outbox, sent by a relay and processed by a consumer, with
 * the W3C `traceparent` carried in the event envelope — so one checkout reads HTTP → saga →
 * outbox → bus → consumers → their own events as one trace.
 *
 * Off unless started (`OTEL_EXPORTER_OTLP_ENDPOINT`, or a test's exporter). Off, every entry
 * point here returns after one module-variable check: no span, context or attribute object is
 * allocated, so the hot paths pay nothing measurable. The context travels in AsyncLocalStorage
 * (the Node provider's context manager), so code between the spans needs no changes.
 */
let tracer: Tracer | undefined;

export const tracingEnabled = (): boolean => tracer !== undefined;

export interface TracingOptions {
  /** `service.name` of the exported spans. */
  serviceName: string;
  /** OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans go to `<endpoint>/v1/traces`. */
  endpoint?: string | undefined;
  /** Tests: export here, synchronously on span end, instead of OTLP. */
  exporter?: SpanExporter;
}

export interface Tracing {
  forceFlush(): Promise<void>;
  /** Flushes and stops; tracing is off again afterwards. */
  shutdown(): Promise<void>;
}

/** Starts process-wide tracing. Only one at a time: a second start is refused. */
export function startTracing(options: TracingOptions): Tracing {
  if (tracer) throw new Error('tracing is already started in this process');
  const processor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(options.endpoint) }));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [processor],
  });
  // Global tracer provider, AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  tracer = provider.getTracer('orderline');
  return {
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      tracer = undefined;
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

function tracesUrl(endpoint: string | undefined): string {
  if (!endpoint) throw new Error('OTEL_EXPORTER_OTLP_ENDPOINT is required to export traces');
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** A W3C traceparent to continue (an event's); the active context otherwise. */
  parent?: string | undefined;
}

const parentContext = (traceparent: string | undefined): Context =>
  traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : context.active();

function fail(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** Runs `fn` in a new active span (a child of `parent` or of the active span); off: just `fn()`. */
export function withSpan<R>(name: string, fn: () => Promise<R>, options?: SpanOptions): Promise<R> {
  const t = tracer;
  if (!t) return fn();
  const { parent, ...spanOptions } = options ?? {};
  return t.startActiveSpan(name, spanOptions, parentContext(parent), async (span) => {
    try {
      return await fn();
    } catch (err) {
      fail(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The active span as a W3C traceparent, for an event envelope; undefined when off or no span. */
export function activeTraceparent(): string | undefined {
  if (!tracer) return undefined;
  const carrier: { traceparent?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** One outbound hop per event (the relay's send): the event continues under the hop's span. */
export interface EventHops<E extends { type: string; id: string; traceparent: string }> {
  /** The events with `traceparent` set to their hop's span. */
  readonly events: E[];
  /** Ends each hop; an error marks its span failed. */
  end(errors: readonly (Error | undefined)[]): void;
}

/** Off: the events unchanged and nothing to end (callers check `tracingEnabled()` first). */
export function startEventHops<E extends { type: string; id: string; traceparent: string }>(
  events: readonly E[],
  operation: string,
  attributes: Attributes,
): EventHops<E> {
  const t = tracer;
  if (!t) return { events: [...events], end: () => undefined };
  const spans: Span[] = [];
  const out = events.map((e) => {
    const span = t.startSpan(
      `${e.type} ${operation}`,
      { kind: SpanKind.PRODUCER, attributes: { ...attributes, 'messaging.message.id': e.id } },
      parentContext(e.traceparent),
    );
    spans.push(span);
    const carrier: { traceparent?: string } = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
    return { ...e, traceparent: carrier.traceparent ?? e.traceparent };
  });
  return {
    events: out,
    end(errors) {
      spans.forEach((span, i) => {
        const err = errors[i];
        if (err) fail(span, err);
        span.end();
      });
    },
  };
}

/** An HTTP server span, started by the app's first hook and ended by its last. */
export interface RequestSpan {
  readonly context: Context;
  end(route: string, status: number): void;
}

export function startRequestSpan(
  method: string,
  headers: Record<string, string | string[] | undefined>,
): RequestSpan | undefined {
  const t = tracer;
  if (!t) return undefined;
  const inbound = typeof headers.traceparent === 'string' ? headers.traceparent : undefined;
  const span = t.startSpan(
    method,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } },
    parentContext(inbound),
  );
  return {
    context: trace.setSpan(parentContext(inbound), span),
    end(route, status) {
      span.updateName(`${method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/** Runs `fn` (synchronously) with `ctx` active: what follows from it, async too, sees the span. */
export const runInContext = <R>(ctx: Context, fn: () => R): R => context.with(ctx, fn);

/** `fn` bound to the active trace context, for work that runs later (after a commit); `fn` itself when tracing is off. */
export const bindToActiveContext = <F extends (...args: never[]) => unknown>(fn: F): F =>
  tracer === undefined ? fn : context.bind(context.active(), fn);

export { SpanKind };
