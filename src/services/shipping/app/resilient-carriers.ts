import CircuitBreaker from 'opossum';
import { AppError, isAppError } from '../../../platform/errors/app-error.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { Carrier } from '../domain/ports.js';

/**
 * Breaker tuning from SHIPPING_CIRCUIT_* (defaults: open when half of at least 5 calls in the
 * rolling 10 s window failed, try again after 30 s). Booking retries run minutes apart, so an open
 * breaker mostly spares a failing carrier the bursts of a kick storm or a job batch.
 */
export interface CarrierResilience {
  timeoutMs: number;
  errorThresholdPercent: number;
  volumeThreshold: number;
  resetMs: number;
}

/** A carrier call that produced no answer: timed out, circuit open, or the carrier said it is down. */
export class CarrierUnavailable extends AppError {
  constructor(carrier: string, detail: string, cause?: unknown) {
    super('unavailable', 'carrier_unavailable', `Carrier ${carrier}: ${detail}`, { cause });
  }
}

/** A carrier's definite answer (e.g. "parcel not found") is not an outage: it does not trip the breaker. */
const isAnswer = (err: unknown): boolean =>
  isAppError(err) && err.kind !== 'unavailable' && err.kind !== 'internal';

type Task = () => Promise<unknown>;

export interface ResilientCarriers {
  get(name: string): Carrier | undefined;
  names(): string[];
  /**
   * Runs one call to an outside carrier behind SHIPPING_CARRIER_TIMEOUT_MS and the carrier's
   * circuit breaker. No answer → CarrierUnavailable; a carrier's refusal is rethrown as it is.
   */
  call<T>(carrier: string, run: (c: Carrier) => Promise<T>): Promise<T>;
  shutdown(): void;
}

export function createResilientCarriers(
  carriers: readonly Carrier[],
  { timeoutMs, errorThresholdPercent, volumeThreshold, resetMs }: CarrierResilience,
  logger: Logger,
): ResilientCarriers {
  const byName = new Map(carriers.map((c) => [c.name, c]));
  const breakers = new Map<string, CircuitBreaker<[Task], unknown>>();
  for (const carrier of carriers) {
    const breaker = new CircuitBreaker<[Task], unknown>((task: Task) => task(), {
      name: `shipping.${carrier.name}`,
      timeout: timeoutMs,
      errorThresholdPercentage: errorThresholdPercent,
      volumeThreshold,
      resetTimeout: resetMs,
      errorFilter: isAnswer,
    });
    breaker.on('open', () => logger.warn({ carrier: carrier.name, resetMs }, 'carrier circuit opened'));
    breaker.on('close', () => logger.info({ carrier: carrier.name }, 'carrier circuit closed'));
    breakers.set(carrier.name, breaker);
  }

  return {
    get: (name) => byName.get(name),
    names: () => [...byName.keys()],

    async call(name, run) {
      const carrier = byName.get(name);
      const breaker = breakers.get(name);
      if (!carrier || !breaker) throw new AppError('internal', 'unknown_carrier', `No carrier ${name}`);
      try {
        return (await breaker.fire(() => run(carrier))) as Awaited<ReturnType<typeof run>>;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code === 'EOPENBREAKER') throw new CarrierUnavailable(name, 'circuit open; retry later', err);
        if (code === 'ETIMEDOUT') throw new CarrierUnavailable(name, `no answer within ${timeoutMs} ms`, err);
        if (isAnswer(err)) throw err;
        if (err instanceof CarrierUnavailable) throw err;
        throw new CarrierUnavailable(name, (err as Error).message ?? 'failed', err);
      }
    },

    shutdown() {
      for (const breaker of breakers.values()) breaker.shutdown();
    },
  };
}
