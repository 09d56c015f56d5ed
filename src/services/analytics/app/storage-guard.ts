import CircuitBreaker from 'opossum';
import { AppError } from '../../../platform/errors/app-error.js';
import type { Logger } from '../../../platform/logging/logger.js';

/**
 * The circuit breaker on the analytics storage path (seed 003 SG-14, Fix 11): when writes keep
 * failing (database down or overloaded), further writes fail fast with `analytics_storage_unavailable`
 * instead of piling up; consumers then retry/redeliver and the HTTP ingest queue fills and answers
 * 429 (SG-15). No opossum timeout: a write runs inside a transaction that must finish or roll back
 * by itself (DATABASE_STATEMENT_TIMEOUT_MS bounds it).
 */
export interface StorageGuard {
  run<T>(write: () => Promise<T>): Promise<T>;
  readonly open: boolean;
  shutdown(): void;
}

type Task = () => Promise<unknown>;

export function createStorageGuard(
  settings: { errorThresholdPercent: number; volumeThreshold: number; resetMs: number },
  logger: Logger,
): StorageGuard {
  const breaker = new CircuitBreaker<[Task], unknown>((task: Task) => task(), {
    name: 'analytics.storage',
    timeout: false,
    errorThresholdPercentage: settings.errorThresholdPercent,
    volumeThreshold: settings.volumeThreshold,
    resetTimeout: settings.resetMs,
  });
  breaker.on('open', () => logger.warn({ resetMs: settings.resetMs }, 'analytics storage circuit opened'));
  breaker.on('close', () => logger.info('analytics storage circuit closed'));
  return {
    async run<T>(write: () => Promise<T>): Promise<T> {
      try {
        return (await breaker.fire(write)) as T;
      } catch (err) {
        if ((err as { code?: unknown } | undefined)?.code === 'EOPENBREAKER')
          throw new AppError(
            'unavailable',
            'analytics_storage_unavailable',
            'Analytics storage is unavailable',
            {
              cause: err,
            },
          );
        throw err;
      }
    },
    get open() {
      return breaker.opened;
    },
    shutdown: () => breaker.shutdown(),
  };
}
