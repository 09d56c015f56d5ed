import type { z } from 'zod';

/** Service names as they appear in the topic map (docs/eventing.md, spec 02-events.md). */
export type ServiceName =
  | 'auth'
  | 'user'
  | 'customer'
  | 'catalog'
  | 'pricing'
  | 'promotion'
  | 'order'
  | 'payment'
  | 'warehouse'
  | 'fulfillment'
  | 'shipping'
  | 'loyalty'
  | 'notification'
  | 'review'
  | 'analytics';

/**
 * One entry of the event catalog: a topic at one schema version. Publishers and consumers import
 * the same schema (P2-SCHEMA-DRIFT). Evolution is additive within a version; a breaking change is a
 * new entry with `version + 1`, published side by side until the old consumers are gone.
 */
export interface EventContract<TTopic extends string = string, TSchema extends z.ZodType = z.ZodType> {
  readonly topic: TTopic;
  readonly version: number;
  readonly schema: TSchema;
  readonly publisher: ServiceName;
  readonly consumers: readonly ServiceName[];
  /** Who reads it outside Orderline; a topic without consumers must name one (no dead topics, A9). */
  readonly outsideAudience?: string;
  /** What the ordering/partition key is (aggregate id). */
  readonly key: string;
  readonly description: string;
}

export const defineEvent = <const TTopic extends string, TSchema extends z.ZodType>(
  contract: EventContract<TTopic, TSchema>,
): EventContract<TTopic, TSchema> => contract;
