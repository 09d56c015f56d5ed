import { AppError } from '../../../platform/errors/app-error.js';

/**
 * The return state machine of 02-events.md as data (conventions §10): requested → approved |
 * rejected, approved → received | rejected, received → completed. Everything else is refused.
 * `completed` is reached only when both compensable steps (restock, refund) are done.
 */
export const RETURN_STATUSES = ['requested', 'approved', 'rejected', 'received', 'completed'] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

export const RETURN_TRANSITIONS: Readonly<Record<ReturnStatus, readonly ReturnStatus[]>> = {
  requested: ['approved', 'rejected'],
  // Goods inspected on arrival may still be refused before they are received into stock.
  approved: ['received', 'rejected'],
  received: ['completed'],
  rejected: [],
  completed: [],
};

/** Open returns block a new one for the same order (at most one at a time, unique index). */
export const OPEN_RETURN_STATUSES: readonly ReturnStatus[] = ['requested', 'approved', 'received'];

/** State of a compensable step once the return is received: `pending` until it succeeded once. */
export const STEP_STATES = ['pending', 'done'] as const;
export type StepState = (typeof STEP_STATES)[number];
export const RETURN_STEPS = ['restock', 'refund'] as const;
export type ReturnStep = (typeof RETURN_STEPS)[number];

export const canTransitionReturn = (from: ReturnStatus, to: ReturnStatus): boolean =>
  RETURN_TRANSITIONS[from].includes(to);

/** The statuses a return may move to `to` from: the sources of its conditional UPDATE. */
export const returnSourcesOf = (to: ReturnStatus): ReturnStatus[] =>
  RETURN_STATUSES.filter((from) => canTransitionReturn(from, to));

/** Guard: 409 `invalid_transition` for a move outside the table. */
export function assertReturnTransition(from: ReturnStatus, to: ReturnStatus): void {
  if (!canTransitionReturn(from, to))
    throw new AppError('conflict', 'invalid_transition', `A ${from} return cannot become ${to}`, {
      extra: { returnStatus: from },
    });
}
