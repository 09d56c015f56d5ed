import { validationFailed } from '../../../platform/errors/app-error.js';

export interface Range {
  from: Date;
  to: Date;
}

const DAY_MS = 86_400_000;
/** Without `from`/`to` a report covers the last 30 days up to now. */
export const DEFAULT_RANGE_DAYS = 30;

/** `?from=&to=` → a half-open window [from, to); a reversed, empty or too long window is 400. */
export function parseRange(
  query: { from?: string | undefined; to?: string | undefined },
  now: Date,
  maxDays: number,
): Range {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
  if (from.getTime() >= to.getTime())
    throw validationFailed('from must be before to', [{ path: 'from', message: 'must be before to' }]);
  if (to.getTime() - from.getTime() > maxDays * DAY_MS)
    throw validationFailed(`the window may span at most ${maxDays} days`, [
      { path: 'to', message: `at most ${maxDays} days after from` },
    ]);
  return { from, to };
}
