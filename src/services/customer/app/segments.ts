import { sql } from 'kysely';
import type { Ctx } from '../../../platform/context.js';
import { conflict, notFound } from '../../../platform/errors/app-error.js';
import { isUuid, newId } from '../../../platform/ids.js';
import type { SegmentRow } from '../data/tables.js';
import type { SegmentRules } from '../domain/segment-rules.js';
import type { CustomerDeps } from './deps.js';

export interface SegmentView {
  id: string;
  name: string;
  description: string | null;
  rules: SegmentRules;
  active: boolean;
  version: number;
  lastEvaluatedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const toView = (r: SegmentRow): SegmentView => ({
  id: r.id,
  name: r.name,
  description: r.description,
  rules: r.rules,
  active: r.active,
  version: r.version,
  lastEvaluatedAt: r.last_evaluated_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const nameTaken = (name: string) =>
  conflict(`A segment named "${name}" exists already`, 'segment_name_taken');
const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

/** A new segment; members follow from the nightly run or the members' next statistics change. */
export async function createSegment(
  ctx: Ctx,
  deps: CustomerDeps,
  input: {
    name: string;
    description?: string | null | undefined;
    rules: SegmentRules;
    active?: boolean | undefined;
  },
): Promise<SegmentView> {
  const now = deps.clock.now();
  try {
    const row = await deps.db
      .insertInto('segments')
      .values({
        id: newId(),
        name: input.name,
        description: input.description ?? null,
        rules: JSON.stringify(input.rules),
        active: input.active ?? true,
        last_evaluated_at: null,
        evaluation_cursor: null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    ctx.logger.info({ segmentId: row.id }, 'segment created');
    return toView(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
}

export async function getSegment(deps: CustomerDeps, id: string): Promise<SegmentView> {
  const row = isUuid(id)
    ? await deps.db.selectFrom('segments').selectAll().where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!row) throw notFound('Segment', id.slice(0, 64));
  return toView(row);
}

export async function listSegments(
  deps: CustomerDeps,
  q: { limit: number; after?: string | undefined },
): Promise<{ items: SegmentView[]; lastId: string | null }> {
  let query = deps.db
    .selectFrom('segments')
    .selectAll()
    .orderBy('id')
    .limit(q.limit + 1);
  if (q.after) query = query.where('id', '>', q.after);
  const rows = await query.execute();
  const page = rows.slice(0, q.limit);
  return { items: page.map(toView), lastId: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null };
}

/**
 * Changes a segment with optimistic locking (`version`, 409 when stale). Changed rules restart
 * the evaluation: the next nightly run covers every customer with the new rules.
 */
export async function updateSegment(
  ctx: Ctx,
  deps: CustomerDeps,
  id: string,
  input: {
    version: number;
    name?: string | undefined;
    description?: string | null | undefined;
    rules?: SegmentRules | undefined;
    active?: boolean | undefined;
  },
): Promise<SegmentView> {
  const current = await getSegment(deps, id);
  const now = deps.clock.now();
  let row: SegmentRow | undefined;
  try {
    row = await deps.db
      .updateTable('segments')
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.active !== undefined ? { active: input.active } : {}),
        ...(input.rules !== undefined
          ? { rules: JSON.stringify(input.rules), evaluation_cursor: null, last_evaluated_at: null }
          : {}),
        version: sql<number>`version + 1`,
        updated_at: now,
      })
      .where('id', '=', current.id)
      .where('version', '=', input.version)
      .returningAll()
      .executeTakeFirst();
  } catch (err) {
    if (isUniqueViolation(err) && input.name) throw nameTaken(input.name);
    throw err;
  }
  if (!row)
    throw conflict(
      `The segment was changed meanwhile (version ${current.version}, you sent ${input.version}); reload and retry`,
    );
  ctx.logger.info({ segmentId: id }, 'segment updated');
  return toView(row);
}

/** Deletes a segment and its memberships (promotions naming it then match nobody). */
export async function deleteSegment(ctx: Ctx, deps: CustomerDeps, id: string): Promise<void> {
  const deleted = isUuid(id)
    ? await deps.db.deleteFrom('segments').where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!deleted || deleted.numDeletedRows === 0n) throw notFound('Segment', id.slice(0, 64));
  ctx.logger.info({ segmentId: id }, 'segment deleted');
}

/** Members of a segment in customer-id order (keyset). */
export async function segmentMembers(
  deps: CustomerDeps,
  id: string,
  q: { limit: number; after?: string | undefined },
): Promise<{ items: { customerId: string; addedAt: string }[]; lastId: string | null }> {
  const segment = await getSegment(deps, id);
  let query = deps.db
    .selectFrom('segment_members')
    .select(['customer_id', 'added_at'])
    .where('segment_id', '=', segment.id)
    .orderBy('customer_id')
    .limit(q.limit + 1);
  if (q.after) query = query.where('customer_id', '>', q.after);
  const rows = await query.execute();
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((r) => ({ customerId: r.customer_id, addedAt: r.added_at.toISOString() })),
    lastId: rows.length > q.limit ? (page.at(-1)?.customer_id ?? null) : null,
  };
}
