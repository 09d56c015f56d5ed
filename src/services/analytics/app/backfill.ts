import type { Selectable, Transaction } from 'kysely';
import { type EventEnvelope, type EventHistory, findContract, type Topic } from '../../../contracts/index.js';
import { actorId, type Ctx } from '../../../platform/context.js';
import { AppError, isAppError, notFound } from '../../../platform/errors/app-error.js';
import { errorMessage } from '../../../platform/eventing/backoff.js';
import {
  addDeadLetter,
  decodeEnvelope,
  freshEvents,
  type PlatformTables,
  transaction,
} from '../../../platform/eventing/index.js';
import { newId } from '../../../platform/ids.js';
import { INGESTED_TOPICS, ingestTopicBatch, subscriptionOf } from '../consumers/lifecycle.consumers.js';
import type { AnalyticsDB, BackfillSourcesTable, BackfillStatus, BackfillsTable } from '../data/tables.js';
import type { AnalyticsDeps } from './deps.js';

/** The source services' event histories (their client interfaces), by service name. */
export type EventSources = Readonly<Partial<Record<string, EventHistory>>>;

export interface BackfillSettings {
  pageSize: number;
  pagesPerRun: number;
  maxWindowHours: number;
  /** How long the source outboxes keep published events (OUTBOX_RETENTION_HOURS). */
  historyHours: number;
}

export interface BackfillInput {
  from: string;
  to: string;
  topics?: string[] | undefined;
}

const HOUR_MS = 3_600_000;
const INGESTED = new Set(Object.keys(INGESTED_TOPICS));
const OPEN: BackfillStatus[] = ['queued', 'running'];

const invalid = (code: string, path: string, message: string): AppError =>
  new AppError('validation', code, message, { fields: [{ path, message }] });

/** The publisher of each requested topic → its topics (in the order asked). */
function topicsBySource(topics: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const topic of topics) {
    const source = findContract(topic)!.publisher;
    out.set(source, [...(out.get(source) ?? []), topic]);
  }
  return out;
}

/**
 * `POST /admin/analytics/backfill`: validates the window and topics and queues the request; the
 * `backfill` job does the work. A window reaching further back than the outbox retention gets what
 * the outboxes still hold (`historyFrom` in the answer says from when).
 */
export async function requestBackfill(
  ctx: Ctx,
  deps: AnalyticsDeps,
  sources: EventSources,
  settings: BackfillSettings,
  input: BackfillInput,
) {
  const now = deps.clock.now();
  const from = new Date(input.from);
  const to = new Date(input.to);
  if (from.getTime() >= to.getTime())
    throw invalid('backfill_window_invalid', 'from', 'from must be before to');
  if (to.getTime() > now.getTime())
    throw invalid('backfill_window_in_future', 'to', 'the window must not end in the future');
  if (to.getTime() - from.getTime() > settings.maxWindowHours * HOUR_MS)
    throw invalid(
      'backfill_window_too_long',
      'to',
      `the window may span at most ${settings.maxWindowHours} hours (ANALYTICS_BACKFILL_MAX_WINDOW_HOURS)`,
    );
  const unknown = (input.topics ?? []).filter((t) => !INGESTED.has(t));
  if (unknown.length > 0)
    throw new AppError(
      'validation',
      'backfill_topic_not_ingested',
      `analytics does not ingest ${unknown.join(', ')}`,
      {
        fields: unknown.map((t) => ({ path: 'topics', message: `${t} is not an ingested topic` })),
      },
    );
  const asked = input.topics && input.topics.length > 0 ? [...new Set(input.topics)] : undefined;
  // Without a list: every ingested topic whose publisher runs here (the others cannot be read).
  const topics = asked ?? [...INGESTED].filter((t) => sources[findContract(t)!.publisher]);
  const bySource = topicsBySource(topics);
  const missing = [...bySource.keys()].filter((s) => !sources[s]);
  if (missing.length > 0 || bySource.size === 0)
    throw new AppError(
      'unprocessable',
      'backfill_source_unavailable',
      missing.length > 0
        ? `the source service(s) ${missing.join(', ')} are not reachable from this process`
        : 'no source service of an ingested topic is reachable from this process',
    );

  const id = newId();
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('backfills')
      .values({
        id,
        status: 'queued',
        window_from: from,
        window_to: to,
        topics: JSON.stringify(topics),
        requested_by: actorId(ctx),
        created_at: now,
      })
      .execute();
    await tx
      .insertInto('backfill_sources')
      .values(
        [...bySource].map(([source, list]) => ({
          backfill_id: id,
          source,
          topics: JSON.stringify(list),
          status: 'queued' as const,
          updated_at: now,
        })),
      )
      .execute();
  });
  ctx.logger.info({ backfillId: id, from, to, topics }, 'analytics backfill queued');
  return getBackfill(deps, settings, id);
}

/** `GET /admin/analytics/backfill/{id}`: the request and each source's progress. */
export async function getBackfill(deps: AnalyticsDeps, settings: BackfillSettings, id: string) {
  const backfill = await deps.db.selectFrom('backfills').selectAll().where('id', '=', id).executeTakeFirst();
  if (!backfill) throw notFound('Backfill', id);
  const rows = await deps.db
    .selectFrom('backfill_sources')
    .selectAll()
    .where('backfill_id', '=', id)
    .orderBy('source')
    .execute();
  return view(backfill, rows, settings);
}

function view(
  b: Selectable<BackfillsTable>,
  rows: Selectable<BackfillSourcesTable>[],
  settings: BackfillSettings,
) {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  const sources = rows.map((r) => ({
    source: r.source,
    topics: r.topics,
    status: r.status,
    eventsRead: r.events_read,
    ingested: r.ingested,
    duplicates: r.duplicates,
    invalid: r.invalid,
    cursor: r.cursor,
    error: r.error,
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
  const sum = (k: 'eventsRead' | 'ingested' | 'duplicates' | 'invalid') =>
    sources.reduce((n, s) => n + s[k], 0);
  return {
    id: b.id,
    status: b.status,
    from: new Date(b.window_from).toISOString(),
    to: new Date(b.window_to).toISOString(),
    topics: b.topics,
    requestedBy: b.requested_by,
    createdAt: new Date(b.created_at).toISOString(),
    startedAt: iso(b.started_at),
    finishedAt: iso(b.finished_at),
    // Published events older than this were purged from the source outboxes when it was requested.
    historyFrom: new Date(new Date(b.created_at).getTime() - settings.historyHours * HOUR_MS).toISOString(),
    totals: {
      eventsRead: sum('eventsRead'),
      ingested: sum('ingested'),
      duplicates: sum('duplicates'),
      invalid: sum('invalid'),
    },
    sources,
  };
}

export type BackfillView = ReturnType<typeof view>;

type PageOutcome = 'more' | 'done' | 'failed' | 'busy';

/**
 * The `backfill` job: works through open backfills oldest first, at most `pagesPerRun` pages per
 * run; the rest waits for the next tick. Returns the events read. A transient failure (a source or
 * the storage unreachable) is recorded on the source and fails the run, which the next tick retries
 * from the stored cursor; a permanent one (a source not in this process, a cursor refused) fails
 * the source, and the backfill ends `failed` once its other sources are done.
 */
export async function runBackfills(
  deps: AnalyticsDeps,
  sources: EventSources,
  settings: BackfillSettings,
  signal: AbortSignal,
): Promise<number> {
  const open = await deps.db
    .selectFrom('backfills')
    .selectAll()
    .where('status', 'in', OPEN)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  let pages = 0;
  let read = 0;
  for (const backfill of open) {
    if (backfill.status === 'queued')
      await deps.db
        .updateTable('backfills')
        .set({ status: 'running', started_at: deps.clock.now() })
        .where('id', '=', backfill.id)
        .where('status', '=', 'queued')
        .execute();
    const pending = await deps.db
      .selectFrom('backfill_sources')
      .selectAll()
      .where('backfill_id', '=', backfill.id)
      .where('status', 'in', OPEN)
      .orderBy('source')
      .execute();
    for (const source of pending) {
      let cursor = source.cursor;
      let outcome: PageOutcome = 'more';
      while (outcome === 'more' && pages < settings.pagesPerRun && !signal.aborted) {
        const page = await runPage(deps, sources, settings, backfill, { ...source, cursor });
        pages++;
        read += page.read;
        cursor = page.cursor;
        outcome = page.outcome;
      }
      if (pages >= settings.pagesPerRun || signal.aborted) return read;
    }
    await finish(deps, backfill.id);
  }
  return read;
}

/** A backfill whose sources are all done is `completed`, or `failed` if one of them failed. */
async function finish(deps: AnalyticsDeps, id: string): Promise<void> {
  const rows = await deps.db
    .selectFrom('backfill_sources')
    .select('status')
    .where('backfill_id', '=', id)
    .execute();
  if (rows.some((r) => OPEN.includes(r.status))) return;
  await deps.db
    .updateTable('backfills')
    .set({
      status: rows.some((r) => r.status === 'failed') ? 'failed' : 'completed',
      finished_at: deps.clock.now(),
    })
    .where('id', '=', id)
    .where('status', 'in', OPEN)
    .execute();
  deps.logger.info({ backfillId: id }, 'analytics backfill finished');
}

type SourceRow = Selectable<BackfillSourcesTable>;

async function failSource(deps: AnalyticsDeps, row: SourceRow, error: string, permanent: boolean) {
  await deps.db
    .updateTable('backfill_sources')
    .set({
      error: error.slice(0, 2000),
      updated_at: deps.clock.now(),
      ...(permanent ? { status: 'failed' } : {}),
    })
    .where('backfill_id', '=', row.backfill_id)
    .where('source', '=', row.source)
    .execute();
}

/**
 * One page of one source: read it from the source's history, dead-letter what fails its contract
 * (as the bus path does), then in ONE transaction take the source row (skipped if another runner
 * holds it or moved its cursor), record the ids in the inbox of each topic's bus subscription,
 * ingest the new events through the bus consumers' own batch path, and store cursor and counters.
 * An event already ingested — from the bus or an earlier backfill — is a duplicate and adds nothing.
 */
async function runPage(
  deps: AnalyticsDeps,
  sources: EventSources,
  settings: BackfillSettings,
  backfill: Selectable<BackfillsTable>,
  row: SourceRow,
): Promise<{ outcome: PageOutcome; read: number; cursor: string | null }> {
  const history = sources[row.source];
  if (!history) {
    await failSource(deps, row, `the source service ${row.source} is not part of this process`, true);
    return { outcome: 'failed', read: 0, cursor: row.cursor };
  }
  let page: Awaited<ReturnType<EventHistory['publishedEvents']>>;
  try {
    page = await history.publishedEvents({
      from: new Date(backfill.window_from),
      to: new Date(backfill.window_to),
      topics: row.topics,
      after: row.cursor,
      limit: settings.pageSize,
    });
  } catch (err) {
    const permanent = isAppError(err) && err.kind === 'validation';
    await failSource(
      deps,
      row,
      `reading ${row.source}'s event history failed: ${errorMessage(err)}`,
      permanent,
    );
    if (permanent) return { outcome: 'failed', read: 0, cursor: row.cursor };
    throw err;
  }

  const expected = new Set(row.topics);
  const byTopic = new Map<Topic, EventEnvelope[]>();
  let invalidCount = 0;
  for (const raw of page.events) {
    const decoded = decodeEnvelope(raw, expected);
    if (decoded.ok) {
      const topic = decoded.event.type as Topic;
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), decoded.event]);
      continue;
    }
    invalidCount++;
    const now = deps.clock.now();
    await addDeadLetter(deps.db as never, {
      subscription: subscriptionOf(decoded.topic),
      eventId: decoded.eventId ?? `invalid-${backfill.id}-${invalidCount}`,
      topic: decoded.topic,
      envelope: raw,
      error: `backfill ${backfill.id}: ${decoded.error}`,
      stack: undefined,
      attempts: 1,
      firstFailedAt: now,
      lastFailedAt: now,
    });
  }

  const ingest = ingestTopicBatch(deps);
  const done = page.nextCursor === null;
  try {
    const outcome = await transaction(deps.db, async (tx): Promise<PageOutcome> => {
      const held = await tx
        .selectFrom('backfill_sources')
        .select(['cursor', 'status'])
        .where('backfill_id', '=', row.backfill_id)
        .where('source', '=', row.source)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!held || held.cursor !== row.cursor || !OPEN.includes(held.status)) return 'busy';
      let ingested = 0;
      let valid = 0;
      for (const [topic, events] of byTopic) {
        valid += events.length;
        const fresh = await freshEvents(
          tx as unknown as Transaction<PlatformTables>,
          subscriptionOf(topic),
          events,
        );
        if (fresh.length > 0) await ingest(tx as Transaction<AnalyticsDB>, topic, fresh);
        ingested += fresh.length;
      }
      await tx
        .updateTable('backfill_sources')
        .set((eb) => ({
          status: done ? 'completed' : 'running',
          cursor: page.nextCursor ?? row.cursor,
          events_read: eb('events_read', '+', page.events.length),
          ingested: eb('ingested', '+', ingested),
          duplicates: eb('duplicates', '+', valid - ingested),
          invalid: eb('invalid', '+', invalidCount),
          error: null,
          updated_at: deps.clock.now(),
        }))
        .where('backfill_id', '=', row.backfill_id)
        .where('source', '=', row.source)
        .execute();
      return done ? 'done' : 'more';
    });
    return {
      outcome,
      read: outcome === 'busy' ? 0 : page.events.length,
      cursor: page.nextCursor ?? row.cursor,
    };
  } catch (err) {
    await failSource(deps, row, `ingesting a page failed: ${errorMessage(err)}`, false);
    throw err;
  }
}
