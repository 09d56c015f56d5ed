import { requestCtx } from '../../../platform/context.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import { type BackfillSettings, type EventSources, getBackfill, requestBackfill } from '../app/backfill.js';
import type { AnalyticsDeps } from '../app/deps.js';
import { backfillParams, backfillRequestSchema, backfillSchema } from './analytics.schemas.js';

const tags = ['analytics'];
const security = [{ bearer: [] }];

/** 03-api.md "Analytics": `POST /admin/analytics/backfill` and its progress (docs/analytics.md "Backfill"). */
export function registerBackfillRoutes(
  app: HttpApp,
  deps: AnalyticsDeps,
  sources: EventSources,
  settings: BackfillSettings,
): void {
  app.post(
    '/admin/analytics/backfill',
    {
      config: { access: access.admin('analytics:write') },
      schema: {
        tags,
        security,
        summary: 'Re-ingest a window of the source services’ published events',
        description:
          'Queues a backfill that the `backfill` job works through page by page from each source service’s outbox, through the same inbox as the bus: an event analytics already has is counted as a duplicate and changes nothing, so a backfill repeated or overlapping live ingestion never double counts. 400 backfill_window_invalid (from ≥ to), backfill_window_in_future, backfill_window_too_long (ANALYTICS_BACKFILL_MAX_WINDOW_HOURS), backfill_topic_not_ingested; 422 backfill_source_unavailable when a topic’s publisher does not run in this process. Events older than the outbox retention (OUTBOX_RETENTION_HOURS) are gone and cannot be backfilled.',
        body: backfillRequestSchema,
        response: { 202: backfillSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(await requestBackfill(requestCtx(request), deps, sources, settings, request.body)),
  );

  app.get(
    '/admin/analytics/backfill/:id',
    {
      config: { access: access.admin('analytics:read') },
      schema: {
        tags,
        security,
        summary: 'Progress of a backfill, per source service',
        params: backfillParams,
        response: { 200: backfillSchema },
      },
    },
    async (request) => getBackfill(deps, settings, request.params.id),
  );
}
