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
  /**
   * The services that register a consumer of this topic — exactly those: start-up and
   * `src/runtime/topology.test.ts` compare it with the registered consumers (issue 19).
   */
  readonly consumers: readonly ServiceName[];
  /** Who reads it outside Orderline (no dead topics, A9). */
  readonly outsideAudience?: string;
  /**
   * Consumers the topic map (spec 02-events.md) names that do not consume it in this build, each
   * with the reason: a service not built yet, or why it needs no event. A topic nobody consumes
   * must have an outside audience or at least one of these (A9: no topic published into the void
   * unexplained).
   */
  readonly deferredConsumers?: Readonly<Partial<Record<ServiceName, string>>>;
  /** What the ordering/partition key is (aggregate id). */
  readonly key: string;
  readonly description: string;
}

export const defineEvent = <const TTopic extends string, TSchema extends z.ZodType>(
  contract: EventContract<TTopic, TSchema>,
): EventContract<TTopic, TSchema> => contract;
