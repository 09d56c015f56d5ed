import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { type EventEnvelope, type EventPayload, findContract, type Topic } from '../../contracts/index.js';
import { AppError } from '../errors/app-error.js';
import type { PlatformTables } from '../eventing/platform.tables.js';
import { newId } from '../ids.js';
import { activeTraceparent, SpanKind, tracingEnabled, withSpan } from '../observability/tracing.js';

export interface PublishOptions {
  /** W3C trace context of the change being announced; a new trace is started when absent. */
  traceparent?: string;
  /** When the change happened; defaults to now. */
  time?: Date;
}

/**
 * Wakes the relay of one service in this process. A relay cannot see a row before its transaction
 * commits, so `transaction()` below (which the inbox and the idempotency layer use too) signals
 * after the commit (U-W3: wake on commit instead of a constant poll loop). Only a `publish` into a
 * transaction opened some other way signals at once, from inside it: the relay then polls fast for
 * a moment until the commit shows the row (each such early signal cost an empty claim and a
 * due-time query; after-commit signals cost none).
 * Only the publishing service's relay is woken, and only by transactions that wrote an outbox row:
 * waking every relay on every commit cost ~400 empty claim queries per purchase.
 */
export const outboxSignal = {
  listeners: new Map<string, Set<(early: boolean) => void>>(),
  listen(service: string, listener: (early: boolean) => void): void {
    const set = outboxSignal.listeners.get(service) ?? new Set();
    set.add(listener);
    outboxSignal.listeners.set(service, set);
  },
  unlisten(service: string, listener: (early: boolean) => void): void {
    outboxSignal.listeners.get(service)?.delete(listener);
  },
  /** `early`: sent from inside the transaction, before the row is visible. */
  notify(service: string, early = false): void {
    for (const listener of outboxSignal.listeners.get(service) ?? []) listener(early);
  },
};

/** Services each open transaction has published for, so `transaction()` wakes exactly those. */
const publishedIn = new WeakMap<object, Set<string>>();
/** Transactions opened by `transaction()`: their relays are signalled after the commit only. */
const signalledOnCommit = new WeakSet<object>();

const contractViolation = (detail: string, fields?: { path: string; message: string }[]): AppError =>
  new AppError('internal', 'event_contract_violation', detail, fields ? { fields } : {});

export const newTraceparent = (): string =>
  `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;

/** Builds the CloudEvents envelope for `topic`, validating `payload` against its newest contract. */
export function buildEnvelope<T extends Topic>(
  topic: T,
  key: string,
  payload: EventPayload<T>,
  options: PublishOptions = {},
): EventEnvelope {
  // A bad event is our bug, not the caller's input: it fails the transaction as a 500
  // (`event_contract_violation`) and is logged, rather than blaming the client with a 400.
  const contract = findContract(topic);
  if (!contract) throw contractViolation(`Unknown event topic ${topic}: add it to src/contracts first`);
  const parsed = contract.schema.safeParse(payload);
  if (!parsed.success) {
    throw contractViolation(
      `Payload of ${topic} does not match its contract v${contract.version}`,
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  if (key.length === 0) throw contractViolation(`Event ${topic} needs a non-empty key`);
  return {
    specversion: '1.0',
    id: newId(),
    source: contract.publisher,
    type: topic,
    subject: key,
    time: (options.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    traceparent: options.traceparent ?? newTraceparent(),
    schemaversion: String(contract.version),
    data: parsed.data,
  };
}

/**
 * Appends an event to the outbox of the transaction's schema (principle 2, G3). Takes a
 * `Transaction` so the type system refuses a call outside one (conventions §6): the event commits
 * or rolls back with the change it announces. An unknown topic or invalid payload throws, which
 * fails the caller's transaction.
 */
export async function publish<T extends Topic>(
  // biome-ignore lint/suspicious/noExplicitAny: any service's schema type is accepted here (its own tables plus the platform's)
  tx: Transaction<any>,
  topic: T,
  key: string,
  payload: EventPayload<T>,
  options: PublishOptions = {},
): Promise<EventEnvelope> {
  // The type already refuses a plain Kysely; this also stops an `any`-typed caller at run time.
  if (!tx.isTransaction) throw new Error(`publish(${topic}) must run inside a transaction (outbox, G3)`);
  // Traced: the event carries the context of its own "publish" span, a child of the change's.
  if (tracingEnabled() && options.traceparent === undefined)
    return withSpan(
      `${topic} publish`,
      () => append(tx, topic, key, payload, { ...options, traceparent: activeTraceparent() }),
      { kind: SpanKind.PRODUCER, attributes: { 'messaging.destination.name': topic } },
    );
  return append(tx, topic, key, payload, options);
}

async function append<T extends Topic>(
  // biome-ignore lint/suspicious/noExplicitAny: as publish
  tx: Transaction<any>,
  topic: T,
  key: string,
  payload: EventPayload<T>,
  options: PublishOptions,
): Promise<EventEnvelope> {
  const envelope = buildEnvelope(topic, key, payload, options);
  const now = new Date();
  await (tx as unknown as Transaction<PlatformTables>)
    .insertInto('outbox')
    .values({
      id: envelope.id,
      topic,
      key,
      envelope: JSON.stringify(envelope),
      next_attempt_at: now,
      created_at: now,
    })
    .execute();
  const sources = publishedIn.get(tx) ?? new Set<string>();
  sources.add(envelope.source);
  publishedIn.set(tx, sources);
  if (!signalledOnCommit.has(tx)) outboxSignal.notify(envelope.source, true);
  return envelope;
}

/** A transaction that can publish: `tx.publish(topic, key, payload)`. */
export type OutboxTransaction<DB> = Transaction<DB> & {
  publish<T extends Topic>(
    topic: T,
    key: string,
    payload: EventPayload<T>,
    options?: PublishOptions,
  ): Promise<EventEnvelope>;
};

/** Runs `fn` in a transaction of `db` whose `tx.publish` writes to the outbox; wakes the relay after commit. */
export async function transaction<DB, R>(
  db: Kysely<DB>,
  fn: (tx: OutboxTransaction<DB>) => Promise<R>,
): Promise<R> {
  return tracingEnabled() ? withSpan('db.transaction', () => runTransaction(db, fn)) : runTransaction(db, fn);
}

async function runTransaction<DB, R>(
  db: Kysely<DB>,
  fn: (tx: OutboxTransaction<DB>) => Promise<R>,
): Promise<R> {
  let published: Set<string> | undefined;
  const result = await db.transaction().execute(async (trx) => {
    signalledOnCommit.add(trx);
    const tx = Object.assign(trx, {
      publish: <T extends Topic>(topic: T, key: string, payload: EventPayload<T>, options?: PublishOptions) =>
        publish(trx, topic, key, payload, options),
    });
    const value = await fn(tx);
    published = publishedIn.get(trx);
    return value;
  });
  for (const service of published ?? []) outboxSignal.notify(service);
  return result;
}
