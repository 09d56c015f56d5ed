import type { EventData, EventEnvelope, Topic } from '../../../contracts/index.js';
import { defineConsumer } from '../../../platform/eventing/index.js';
import type { NotificationDeps } from '../app/deps.js';
import { type Background, queueForEvent } from '../app/messages.js';
import type { NotificationDB } from '../data/tables.js';

/** What one event asks to send: the message `queueForEvent` stores. */
export type EventMessage = Parameters<typeof queueForEvent>[3];

/**
 * A consumer whose whole work is one message per event: `message` names it from the event (or
 * null: this event calls for none). Stored in the inbox transaction (one per source key, G4) and
 * handed to delivery once that transaction has committed.
 */
export function messageConsumer<T extends Topic>(
  deps: NotificationDeps,
  background: Background,
  spec: {
    subscription: string;
    topic: T;
    /** A pure pre-test, as `ConsumerDeclaration.accepts`: refused events cost no transaction. */
    accepts?: (event: EventEnvelope<EventData<T>>) => boolean;
    message: (event: EventEnvelope<EventData<T>>) => EventMessage | null;
  },
) {
  return defineConsumer<T, NotificationDB>({
    subscription: spec.subscription,
    topic: spec.topic,
    ...(spec.accepts ? { accepts: spec.accepts } : {}),
    async handle(tx, event, ctx) {
      const m = spec.message(event);
      if (m) await queueForEvent(tx, deps, { background, afterCommit: ctx.afterCommit }, m);
    },
  });
}
