import type { Config } from '../../../platform/config/config.js';
import type { KickQueue } from '../../../platform/eventing/kick-queue.js';
import type { LifecycleDeps } from './deps.js';
import type { ReturnMetrics } from './return.metrics.js';

/** Retry policy of the restock and refund steps (ORDER_RETURN_STEP_*). */
export interface ReturnStepPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export const returnStepPolicy = (config: Config): ReturnStepPolicy => ({
  maxAttempts: config.ORDER_RETURN_STEP_MAX_ATTEMPTS,
  baseMs: config.ORDER_RETURN_STEP_RETRY_BASE_MS,
  maxMs: config.ORDER_RETURN_STEP_RETRY_MAX_MS,
});

/** What the returns use cases, the step runner and its job work with; built once in module.ts. */
export interface ReturnDeps extends LifecycleDeps {
  returnMetrics: ReturnMetrics;
  steps: ReturnStepPolicy;
  /** Runs a received return's steps right after the commit; the job catches what a kick misses. */
  kicks: KickQueue;
}
