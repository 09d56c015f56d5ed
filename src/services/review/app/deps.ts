import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { ReviewDB } from '../data/tables.js';

/** The author's first name, shown with the review (the customer service owns it). */
export interface AuthorLookup {
  firstName(customerId: string): Promise<string | undefined>;
}

/** What the review use cases work with; built once in module.ts. */
export interface ReviewDeps {
  db: Kysely<ReviewDB>;
  clock: Clock;
  logger: Logger;
  bannedWords: readonly string[];
  /** Absent when the customer service is not in this process: authors are shown as "a customer". */
  authors?: AuthorLookup | undefined;
}
