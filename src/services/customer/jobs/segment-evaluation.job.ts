import { errorMessage } from '../../../platform/eventing/backoff.js';
import type { JobContext, JobDeclaration } from '../../../platform/eventing/index.js';
import type { CustomerDeps } from '../app/deps.js';
import { segmentRepository } from '../data/segment.repository.js';
import type { SegmentRow } from '../data/tables.js';

/** Upper bound of customer pages per segment and run. */
const MAX_BATCHES = 10_000;

/**
 * Nightly evaluation of every active segment (SEG, C13, C15): the rules as SQL over keyset pages
 * of customers, writing only membership changes. Runs once per tick across replicas (the
 * scheduler's claim, G7). Each page commits with the segment's `evaluation_cursor`, so an
 * interrupted run resumes at the next page; a finished segment stamps `last_evaluated_at` and is
 * skipped by a later run of the same tick. A failing page is logged as a warning, counted in
 * `orderline_customer_segment_evaluation_failures_total` and leaves the cursor where it was; the
 * run then fails so the job's status shows it.
 */
export function segmentEvaluationJob(deps: CustomerDeps, cron: string): JobDeclaration {
  return {
    name: 'segment-evaluation',
    cron,
    maxStalenessSeconds: 2 * 86_400,
    startupDelayMs: 60_000,
    timeoutMs: 6 * 3_600_000,
    async handler(ctx: JobContext) {
      let changes = 0;
      const failed: string[] = [];
      for (const segment of await segmentRepository.activeSegments(deps.db)) {
        if (ctx.signal.aborted) break;
        if (segment.last_evaluated_at && segment.last_evaluated_at >= ctx.tick && !segment.evaluation_cursor)
          continue; // already done for this tick
        try {
          changes += await evaluateSegment(deps, segment, ctx);
        } catch (err) {
          failed.push(segment.id);
          deps.metrics.segmentFailures.inc({ operation: 'evaluate' });
          ctx.logger.warn({ err, segmentId: segment.id }, 'segment evaluation failed; resumes at its cursor');
        }
      }
      if (failed.length > 0)
        throw new Error(`segment evaluation failed for ${failed.length} segment(s): ${failed.join(', ')}`);
      return { items: changes };
    },
  };
}

/** Evaluates one segment from its cursor to the end; returns the membership changes written. */
export async function evaluateSegment(
  deps: CustomerDeps,
  segment: SegmentRow,
  ctx: Pick<JobContext, 'signal' | 'logger'>,
): Promise<number> {
  const size = deps.settings.batchSize;
  let after = segment.evaluation_cursor;
  let changes = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    if (ctx.signal.aborted) return changes;
    const ids = await segmentRepository.customerPage(deps.db, after, size);
    const now = deps.clock.now();
    const last = ids.at(-1);
    const done = ids.length < size;
    try {
      await deps.db.transaction().execute(async (tx) => {
        if (last) {
          const { added, removed } = await segmentRepository.applyMembership(
            tx,
            segment,
            { after, last },
            now,
          );
          changes += added + removed;
          if (added) deps.metrics.segmentChanges.inc({ change: 'added' }, added);
          if (removed) deps.metrics.segmentChanges.inc({ change: 'removed' }, removed);
        }
        await tx
          .updateTable('segments')
          .set(done ? { evaluation_cursor: null, last_evaluated_at: now } : { evaluation_cursor: last! })
          .where('id', '=', segment.id)
          .execute();
      });
    } catch (err) {
      deps.metrics.segmentFailures.inc({ operation: 'membership' });
      ctx.logger.warn({ err: errorMessage(err), segmentId: segment.id, after }, 'segment page failed');
      throw err;
    }
    if (done) return changes;
    after = last!;
  }
  return changes;
}
