import type { Kysely } from 'kysely';
import type { ReadCache } from '../../../platform/cache/read-cache.js';
import type { Clock } from '../../../platform/clock.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { PromotionRow } from '../data/promotion.repository.js';
import type { PromotionDB } from '../data/tables.js';
import type { SegmentLookup } from '../domain/ports.js';

/** What the promotion use cases work with; built once in module.ts. */
export interface PromotionDeps {
  db: Kysely<PromotionDB>;
  clock: Clock;
  logger: Logger;
  /** PROMOTION_FIXED_MAX_AMOUNT: the largest fixed discount a rule may give (PM-P0-02). */
  fixedMaxAmount: bigint;
  /** Customer segments; absent → segment conditions are refused at create/update. */
  segments: SegmentLookup | undefined;
  /** The rows a quote reads, per set of codes, for cart views; cleared after every rule change. */
  rulesCache: ReadCache<{ rows: PromotionRow[] }>;
}
