import { z } from 'zod';
import { requestCtx } from '../../../platform/context.js';
import { encodeCursor } from '../../../platform/http/pagination.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import type { CustomerDeps } from '../app/deps.js';
import {
  createSegment,
  deleteSegment,
  getSegment,
  listSegments,
  segmentMembers,
  updateSegment,
} from '../app/segments.js';
import { idParams } from './customer.schemas.js';
import {
  membersSchema,
  segmentCreateBody,
  segmentListQuery,
  segmentListSchema,
  segmentPatchBody,
  segmentSchema,
} from './segment.schemas.js';

const tags = ['segments (admin)'];
const security = [{ bearer: [] }];
const READ = 'customers:read';
const WRITE = 'customers:write';
const RULES_DOC =
  "Rules (all present must hold): totalSpentAtLeast {amount, currency}, ordersAtLeast, lastOrderWithinDays, countries (default address), registrationSources. Members are re-evaluated when a customer's statistics change and by the nightly segment-evaluation job.";

export function registerSegmentRoutes(app: HttpApp, deps: CustomerDeps): void {
  app.post(
    '/admin/segments',
    {
      config: { access: access.admin(WRITE) },
      schema: {
        tags,
        security,
        summary: 'Create a rule-based segment',
        description: `${RULES_DOC} A duplicate name is 409 segment_name_taken.`,
        body: segmentCreateBody,
        response: { 201: segmentSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createSegment(requestCtx(request), deps, request.body)),
  );

  app.get(
    '/admin/segments',
    {
      config: { access: access.admin(READ) },
      schema: {
        tags,
        security,
        summary: 'List segments',
        querystring: segmentListQuery,
        response: { 200: segmentListSchema },
      },
    },
    async (request) => {
      const page = await listSegments(deps, { limit: request.query.limit, after: request.query.cursor });
      return { items: page.items, nextCursor: page.lastId ? encodeCursor(page.lastId) : null };
    },
  );

  app.get(
    '/admin/segments/:id',
    {
      config: { access: access.admin(READ) },
      schema: {
        tags,
        security,
        summary: 'Get a segment',
        params: idParams,
        response: { 200: segmentSchema },
      },
    },
    async (request) => getSegment(deps, request.params.id),
  );

  app.patch(
    '/admin/segments/:id',
    {
      config: { access: access.admin(WRITE) },
      schema: {
        tags,
        security,
        summary: 'Change a segment',
        description: `${RULES_DOC} Requires the version you read (409 conflict when stale); changed rules restart the nightly evaluation.`,
        params: idParams,
        body: segmentPatchBody,
        response: { 200: segmentSchema },
      },
    },
    async (request) => updateSegment(requestCtx(request), deps, request.params.id, request.body),
  );

  app.delete(
    '/admin/segments/:id',
    {
      config: { access: access.admin(WRITE) },
      schema: {
        tags,
        security,
        summary: 'Delete a segment and its memberships',
        params: idParams,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await deleteSegment(requestCtx(request), deps, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/admin/segments/:id/members',
    {
      config: { access: access.admin(READ) },
      schema: {
        tags,
        security,
        summary: 'Members of a segment (customer id order)',
        params: idParams,
        querystring: segmentListQuery,
        response: { 200: membersSchema },
      },
    },
    async (request) => {
      const page = await segmentMembers(deps, request.params.id, {
        limit: request.query.limit,
        after: request.query.cursor,
      });
      return { items: page.items, nextCursor: page.lastId ? encodeCursor(page.lastId) : null };
    },
  );
}
