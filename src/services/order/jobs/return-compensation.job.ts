import type { JobDeclaration } from '../../../platform/eventing/index.js';
import type { ReturnDeps } from '../app/return-deps.js';
import { runDueReturnSteps } from '../app/return-steps.js';

/**
 * `return-compensation` (02-events.md "Return status": failures retried by the return compensation
 * worker): the restock and refund steps of received returns that are due — first tries a kick
 * missed, backoff retries, passes that crashed (after their lease) — in one bounded batch. Each
 * return is claimed before it runs, so two scheduler instances never run one step twice at once.
 */
export function returnCompensationJob(deps: ReturnDeps): JobDeclaration {
  return {
    name: 'return-compensation',
    cron: deps.config.ORDER_RETURN_COMPENSATION_CRON,
    maxStalenessSeconds: 6 * 3600,
    handler: async ({ signal }) => ({
      items: await runDueReturnSteps(deps, deps.config.ORDER_JOB_BATCH_SIZE, signal),
    }),
  };
}
