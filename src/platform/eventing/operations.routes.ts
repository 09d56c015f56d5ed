import { z } from 'zod';
import type { HttpApp } from '../http/types.js';
import { access } from '../security/access.js';
import type { Operations } from './operations.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const tags = ['operations'];

const deadLetter = z.object({
  id: z.string(),
  service: z.string(),
  subscription: z.string(),
  eventId: z.string(),
  topic: z.string(),
  envelope: z.unknown(),
  error: z.string(),
  attempts: z.number().int(),
  firstFailedAt: z.string(),
  lastFailedAt: z.string(),
  status: z.enum(['open', 'replayed', 'discarded']),
  resolvedAt: z.string().nullable(),
});
const compensation = z.object({
  id: z.string(),
  service: z.string(),
  sagaType: z.string(),
  sagaId: z.string(),
  step: z.string(),
  action: z.string(),
  status: z.enum(['pending', 'resolved', 'exhausted']),
  attempts: z.number().int(),
  nextAttemptAt: z.string(),
  lastError: z.string(),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
});
const job = z.object({
  service: z.string(),
  job: z.string(),
  cron: z.string(),
  nextRunAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  maxStalenessSeconds: z.number().nullable(),
  lastRun: z
    .object({
      tick: z.string(),
      status: z.enum(['running', 'succeeded', 'failed']),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      items: z.number().int(),
      error: z.string().nullable(),
    })
    .nullable(),
});
const serviceName = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/)
  .optional();
const limit = z.coerce.number().int().min(1).max(500).default(100);
const idParams = z.object({ id: z.uuid() });

/**
 * Operator routes (the runtime mounts them under /api/v1): dead letters, compensations and jobs
 * (G5: everything failed is visible and replayable; draining a DLQ never means ack and forget).
 */
export function registerOperationsRoutes(app: HttpApp, deps: { operations: Operations }): void {
  const ops = deps.operations;
  app.get(
    '/admin/dlq',
    {
      config: { access: access.admin('ops:read') },
      schema: {
        tags,
        querystring: z.object({
          service: serviceName,
          status: z.enum(['open', 'replayed', 'discarded']).optional(),
          limit,
        }),
        response: { 200: z.object({ items: z.array(deadLetter) }) },
      },
    },
    async (request) => {
      const items = await ops.listDeadLetters(request.query);
      return {
        items: items.map((d) => ({
          ...d,
          firstFailedAt: d.firstFailedAt.toISOString(),
          lastFailedAt: d.lastFailedAt.toISOString(),
          resolvedAt: iso(d.resolvedAt),
        })),
      };
    },
  );
  app.post(
    '/admin/dlq/:id/replay',
    {
      config: { access: access.admin('ops:write') },
      schema: {
        tags,
        params: idParams,
        querystring: z.object({ service: serviceName }),
        response: {
          200: z.object({ id: z.string(), service: z.string(), outcome: z.enum(['processed', 'duplicate']) }),
        },
      },
    },
    async (request) => {
      const result = await ops.replayDeadLetter(request.params.id, request.query.service);
      return { id: request.params.id, ...result };
    },
  );
  app.post(
    '/admin/dlq/:id/discard',
    {
      config: { access: access.admin('ops:write') },
      schema: {
        tags,
        params: idParams,
        querystring: z.object({ service: serviceName }),
        response: { 200: z.object({ id: z.string(), service: z.string(), status: z.literal('discarded') }) },
      },
    },
    async (request) => {
      const result = await ops.discardDeadLetter(request.params.id, request.query.service);
      return { id: request.params.id, ...result, status: 'discarded' as const };
    },
  );
  app.get(
    '/admin/compensations',
    {
      config: { access: access.admin('ops:read') },
      schema: {
        tags,
        querystring: z.object({
          service: serviceName,
          status: z.enum(['pending', 'resolved', 'exhausted']).optional(),
          limit,
        }),
        response: { 200: z.object({ items: z.array(compensation) }) },
      },
    },
    async (request) => {
      const items = await ops.listCompensations(request.query);
      return {
        items: items.map(({ payload: _payload, ...c }) => ({
          ...c,
          nextAttemptAt: c.nextAttemptAt.toISOString(),
          createdAt: c.createdAt.toISOString(),
          resolvedAt: iso(c.resolvedAt),
        })),
      };
    },
  );
  app.get(
    '/admin/jobs',
    {
      config: { access: access.admin('ops:read') },
      schema: {
        tags,
        querystring: z.object({ service: serviceName }),
        response: { 200: z.object({ items: z.array(job) }) },
      },
    },
    async (request) => {
      const items = await ops.listJobs(request.query);
      return {
        items: items.map((j) => ({
          service: j.service,
          job: j.job,
          cron: j.cron,
          nextRunAt: iso(j.nextRunAt),
          lastSuccessAt: iso(j.lastSuccessAt),
          maxStalenessSeconds: j.maxStalenessSeconds,
          lastRun: j.lastRun
            ? {
                tick: j.lastRun.tick,
                status: j.lastRun.status,
                startedAt: j.lastRun.startedAt.toISOString(),
                finishedAt: iso(j.lastRun.finishedAt),
                items: j.lastRun.items,
                error: j.lastRun.error,
              }
            : null,
        })),
      };
    },
  );
}
