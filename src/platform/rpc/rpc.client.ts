import { randomUUID } from 'node:crypto';
import CircuitBreaker from 'opossum';
import { type Dispatcher, Pool } from 'undici';
import type { Ctx } from '../context.js';
import { AppError, type ErrorKind, type FieldError } from '../errors/app-error.js';
import type { Logger } from '../logging/logger.js';
import { activeTraceparent, SpanKind, withSpan } from '../observability/tracing.js';
import { decode, encode } from './codec.js';
import type { RpcErrorBody } from './rpc.server.js';
import { isConstant, isSpec, type RpcSpec, type RpcTable, rpcRoute, type WireCtx } from './rpc.types.js';
import type { ServiceTokens } from './service-token.js';

export interface RpcClientSettings {
  timeoutMs: number;
  /** Extra attempts of an idempotent call after a transport failure. */
  retries: number;
  retryBaseMs: number;
  connections: number;
  breaker: { errorPercent: number; minCalls: number; resetMs: number };
}

export interface RpcClientOptions<C> {
  /** The called service (its name in `/internal/<service>/…` and the token's audience). */
  service: string;
  table: RpcTable<C>;
  /** Origin of the service's API process, e.g. `http://orderline-order-api:8080`. */
  baseUrl: string;
  tokens: ServiceTokens;
  settings: RpcClientSettings;
  logger: Logger;
  /** Waits between retries (tests pass a quick one). */
  sleep?: (ms: number) => Promise<void>;
}

export interface RpcClient<C> {
  /** The HTTP implementation of the client interface. */
  readonly client: C;
  /** `closed` (calls pass), `open` (refused at once) or `half-open` (one trial call). */
  breakerState(): 'closed' | 'open' | 'half-open';
  close(): Promise<void>;
}

/** No answer, a timeout, or a status that did not come from the callee's RPC handler. */
class TransportError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** Statuses of a proxy or server that never ran the call: worth another attempt when idempotent. */
const RETRIABLE_STATUS = new Set([502, 503, 504]);

const isCtx = (arg: unknown): arg is Ctx =>
  typeof arg === 'object' && arg !== null && 'requestId' in arg && 'logger' in arg && 'actor' in arg;

const wireArg = (arg: unknown): unknown =>
  isCtx(arg)
    ? ({ $ctx: { actor: encode(arg.actor), requestId: arg.requestId } } satisfies WireCtx)
    : encode(arg);

/**
 * The HTTP implementation of a client interface from its RPC table: one undici Pool and one
 * opossum circuit breaker per upstream, a timeout per call, retries with exponential backoff for
 * idempotent calls only, a service token, the request id and W3C traceparent on every call, and
 * an `Idempotency-Key` that stays the same across the attempts of one call. An AppError raised
 * by the callee comes back as the same kind and code.
 */
export function createRpcClient<C>(options: RpcClientOptions<C>): RpcClient<C> {
  const { settings, service } = options;
  const pool = new Pool(options.baseUrl, { connections: settings.connections });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  const send = async (spec: RpcSpec, body: string, headers: Record<string, string>): Promise<unknown> => {
    let response: Dispatcher.ResponseData;
    try {
      response = await pool.request({
        path: rpcRoute(service, spec),
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(spec.timeoutMs ?? settings.timeoutMs),
      });
    } catch (err) {
      throw new TransportError(`${service} did not answer: ${(err as Error).message}`);
    }
    const text = await response.body.text().catch((err: Error) => {
      throw new TransportError(`${service} answer was cut off: ${err.message}`);
    });
    const parsed = parseJson(text);
    if (response.statusCode === 200 && parsed && 'result' in parsed) return decode(parsed.result);
    if (parsed && typeof parsed.error === 'object' && parsed.error !== null) {
      const e = (parsed as unknown as RpcErrorBody).error;
      throw new AppError(e.kind as ErrorKind, e.code, e.message, {
        ...(e.fields ? { fields: e.fields as FieldError[] } : {}),
        ...(e.extra ? { extra: decode(e.extra) as Record<string, unknown> } : {}),
      });
    }
    throw new TransportError(`${service} answered ${response.statusCode}`, response.statusCode);
  };

  const breaker = new CircuitBreaker(send, {
    timeout: false, // each request has its own AbortSignal timeout
    errorThresholdPercentage: settings.breaker.errorPercent,
    volumeThreshold: settings.breaker.minCalls,
    resetTimeout: settings.breaker.resetMs,
    // The callee answered with a domain refusal: the upstream is healthy.
    errorFilter: (err: unknown) => err instanceof AppError,
  });
  breaker.on('open', () => options.logger.warn({ upstream: service }, 'circuit opened'));
  breaker.on('close', () => options.logger.info({ upstream: service }, 'circuit closed'));

  const call = (spec: RpcSpec, args: unknown[]): Promise<unknown> =>
    withSpan(
      `rpc ${service}/${spec.path}`,
      async () => {
        const ctx = args.find(isCtx);
        const body = JSON.stringify({ args: args.map(wireArg) });
        const idempotencyKey = randomUUID();
        const attempts = spec.idempotent ? settings.retries + 1 : 1;
        for (let attempt = 1; ; attempt++) {
          const headers: Record<string, string> = {
            'content-type': 'application/json',
            authorization: `Bearer ${await options.tokens.tokenFor(service)}`,
            'idempotency-key': idempotencyKey,
            ...(ctx ? { 'x-request-id': ctx.requestId } : {}),
          };
          const traceparent = activeTraceparent();
          if (traceparent) headers.traceparent = traceparent;
          try {
            return await breaker.fire(spec, body, headers);
          } catch (err) {
            if (err instanceof AppError) throw err;
            if (breaker.opened && !(err instanceof TransportError))
              throw new AppError(
                'unavailable',
                'upstream_circuit_open',
                `${service} is failing; calls are paused`,
                {
                  extra: { retryAfter: Math.ceil(settings.breaker.resetMs / 1000) },
                  cause: err,
                },
              );
            const retriable =
              err instanceof TransportError && (err.status === undefined || RETRIABLE_STATUS.has(err.status));
            if (!retriable || attempt >= attempts)
              throw new AppError('unavailable', 'upstream_unavailable', (err as Error).message, {
                cause: err,
              });
            const backoff = settings.retryBaseMs * 2 ** (attempt - 1);
            options.logger.warn(
              { upstream: service, path: spec.path, attempt, err },
              'retrying idempotent call',
            );
            await sleep(backoff / 2 + Math.random() * (backoff / 2));
          }
        }
      },
      { kind: SpanKind.CLIENT, attributes: { 'rpc.service': service, 'rpc.method': spec.path } },
    );

  return {
    client: buildClient(options.table as object, call) as C,
    breakerState: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed'),
    async close() {
      breaker.shutdown();
      await pool.close();
    },
  };
}

function buildClient(table: object, call: (spec: RpcSpec, args: unknown[]) => Promise<unknown>): object {
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(table)) {
    if (isSpec(entry)) out[key] = (...args: unknown[]) => call(entry, args);
    else if (isConstant(entry)) out[key] = entry.constant;
    else out[key] = buildClient(entry as object, call);
  }
  return out;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    // Not JSON (a proxy's HTML error page): the caller reports the status instead.
    return undefined;
  }
}
