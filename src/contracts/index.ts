import type { z } from 'zod';
import * as catalog from './catalog.events.js';
import type { EventContract } from './contract.js';
import * as identity from './identity.events.js';
import * as logistics from './logistics.events.js';
import * as loyalty from './loyalty.events.js';
import * as order from './order.events.js';
import * as payment from './payment.events.js';
import * as promotion from './promotion.events.js';

export type { EventContract, ServiceName } from './contract.js';
export { defineEvent } from './contract.js';
export { type EventEnvelope, envelopeSchema } from './envelope.js';
export type { EventHistory, EventHistoryPage, EventHistoryQuery } from './event-history.js';

/**
 * The typed, versioned event catalog (conventions §9): one entry per topic and version. `publish`
 * and consumers are typed from it, and the runtime refuses what it does not list.
 */
export const eventContracts = [
  ...Object.values(identity),
  ...Object.values(catalog),
  ...Object.values(order),
  ...Object.values(payment),
  ...Object.values(logistics),
  ...Object.values(loyalty),
  ...Object.values(promotion),
] as const;

type AnyContract = (typeof eventContracts)[number];
export type Topic = AnyContract['topic'];
/** The payload a publisher passes for `T` (zod input: before defaults and transforms). */
export type EventPayload<T extends Topic> = z.input<Extract<AnyContract, { topic: T }>['schema']>;
/** The payload a consumer receives for `T` after validation. */
export type EventData<T extends Topic> = z.output<Extract<AnyContract, { topic: T }>['schema']>;

const byKey = new Map<string, EventContract>(eventContracts.map((c) => [`${c.topic}@${c.version}`, c]));
const latest = new Map<string, EventContract>();
for (const c of eventContracts) {
  const seen = latest.get(c.topic);
  if (!seen || seen.version < c.version) latest.set(c.topic, c);
}
if (byKey.size !== eventContracts.length) throw new Error('Event catalog lists a topic and version twice');

export const topics = (): string[] => [...latest.keys()].sort();
export const isTopic = (topic: string): topic is Topic => latest.has(topic);

/** The contract for `topic` at `version`, or its newest version; undefined when unknown. */
export function findContract(topic: string, version?: number | string): EventContract | undefined {
  return version === undefined ? latest.get(topic) : byKey.get(`${topic}@${Number(version)}`);
}
