import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.js';
import type { Logger } from '../../../platform/logging/logger.js';
import type { LoyaltyDB } from '../data/tables.js';
import type { Tier } from '../domain/tiers.js';

export interface LoyaltySettings {
  tiers: readonly Tier[];
  pointsPerUnit: number;
  /** Days without earning after which the balance lapses; 0 = never. */
  expiryDays: number;
  batchSize: number;
  /** Minor units of discount one point is worth at checkout. */
  pointValueMinor: number;
}

/** What the loyalty use cases work with; built once in module.ts. */
export interface LoyaltyDeps {
  db: Kysely<LoyaltyDB>;
  clock: Clock;
  logger: Logger;
  settings: LoyaltySettings;
}
