import CircuitBreaker from 'opossum';
import type { Clock } from '../../../platform/clock.js';
import { AppError } from '../../../platform/errors/app-error.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { PaymentProvider, ProviderCall } from '../domain/ports.js';

export interface ResilienceSettings {
  timeoutMs: number;
  errorThresholdPercent: number;
  volumeThreshold: number;
  resetMs: number;
}

/** Why a provider call produced no answer; the caller records the attempt accordingly. */
export class ProviderUnavailable extends AppError {
  constructor(
    readonly reason: 'timeout' | 'circuit_open' | 'error',
    /** True when the request may have reached the provider (timeout, transport error). */
    readonly outcomeUnknown: boolean,
    detail: string,
    retryAfterSeconds: number | undefined,
    cause?: unknown,
  ) {
    super('unavailable', 'payment_unavailable', detail, {
      ...(retryAfterSeconds !== undefined ? { extra: { retryAfter: retryAfterSeconds } } : {}),
      cause,
    });
  }
}

export interface ResilientProviders {
  get(name: string): PaymentProvider | undefined;
  /**
   * Runs one provider call with the idempotency key, a timeout (PAYMENT_PROVIDER_TIMEOUT_MS: the
   * signal aborts the provider's work and the breaker stops waiting at the same moment) and the
   * provider's circuit breaker (PAY-P0-01). No answer → ProviderUnavailable (503, Retry-After when open).
   */
  call<T>(
    provider: string,
    idempotencyKey: string,
    run: (p: PaymentProvider, call: ProviderCall) => Promise<T>,
  ): Promise<T>;
}

type Task = () => Promise<unknown>;

export function createResilientProviders(
  providers: readonly PaymentProvider[],
  settings: ResilienceSettings,
  clock: Clock,
  logger: Logger,
): ResilientProviders & { shutdown(): void } {
  const byName = new Map(providers.map((p) => [p.name, p]));
  const breakers = new Map<string, { breaker: CircuitBreaker<[Task], unknown>; openedAt: number }>();
  for (const provider of providers) {
    const breaker = new CircuitBreaker<[Task], unknown>((task: Task) => task(), {
      name: `payment.${provider.name}`,
      timeout: settings.timeoutMs,
      errorThresholdPercentage: settings.errorThresholdPercent,
      volumeThreshold: settings.volumeThreshold,
      resetTimeout: settings.resetMs,
    });
    const entry = { breaker, openedAt: 0 };
    breaker.on('open', () => {
      entry.openedAt = clock.now().getTime();
      logger.warn({ provider: provider.name, resetMs: settings.resetMs }, 'payment provider circuit opened');
    });
    breaker.on('halfOpen', () =>
      logger.info({ provider: provider.name }, 'payment provider circuit half-open'),
    );
    breaker.on('close', () => logger.info({ provider: provider.name }, 'payment provider circuit closed'));
    breakers.set(provider.name, entry);
  }

  const retryAfter = (openedAt: number): number =>
    Math.max(1, Math.ceil((openedAt + settings.resetMs - clock.now().getTime()) / 1000));

  return {
    get: (name) => byName.get(name),

    async call(name, idempotencyKey, run) {
      const provider = byName.get(name);
      const entry = breakers.get(name);
      if (!provider || !entry)
        throw new AppError('internal', 'unknown_provider', `No payment provider ${name}`);
      if (entry.breaker.opened)
        throw new ProviderUnavailable(
          'circuit_open',
          false,
          `Payment provider ${name} is unavailable; retry later`,
          retryAfter(entry.openedAt),
        );
      const signal = AbortSignal.timeout(settings.timeoutMs);
      try {
        return (await entry.breaker.fire(() => run(provider, { idempotencyKey, signal }))) as Awaited<
          ReturnType<typeof run>
        >;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code === 'EOPENBREAKER')
          throw new ProviderUnavailable(
            'circuit_open',
            false,
            `Payment provider ${name} is unavailable; retry later`,
            retryAfter(entry.openedAt),
            err,
          );
        if (code === 'ETIMEDOUT' || signal.aborted)
          throw new ProviderUnavailable(
            'timeout',
            true,
            `Payment provider ${name} did not answer within ${settings.timeoutMs} ms`,
            undefined,
            err,
          );
        logger.error({ err, provider: name }, 'payment provider call failed');
        throw new ProviderUnavailable(
          'error',
          true,
          `Payment provider ${name} failed to answer`,
          undefined,
          err,
        );
      }
    },

    shutdown() {
      for (const { breaker } of breakers.values()) breaker.shutdown();
    },
  };
}
