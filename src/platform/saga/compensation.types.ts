import type { Logger } from '../logging/logger.js';

/** Retries a compensation recorded in `failed_compensations`; throw to have it retried later. */
export type CompensationHandler = (
  payload: unknown,
  ctx: { sagaType: string; sagaId: string; step: string; attempt: number; logger: Logger },
) => Promise<void>;

/** Keyed by the `action` a saga stored with the failed compensation (e.g. `payment.void`). */
export type CompensationHandlers = Readonly<Record<string, CompensationHandler>>;
