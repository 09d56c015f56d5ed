import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import type { AnalyticsDeps } from '../app/deps.js';
import { parseRange } from '../app/range.js';
import {
  customersSummary,
  inventorySummary,
  ordersSummary,
  overview,
  productPerformance,
  realtime,
  revenueByCurrency,
  revenueSeries,
} from '../app/reports.js';
import type { StorefrontIngest } from '../app/storefront-ingest.js';
import { storefrontBatchSchema } from '../domain/storefront-event.js';
import {
  acceptedSchema,
  customersSchema,
  inventorySchema,
  ordersSchema,
  overviewSchema,
  productsSchema,
  rangeQuery,
  realtimeSchema,
  revenueSchema,
} from './analytics.schemas.js';

const tags = ['analytics'];
const security = [{ bearer: [] }];
const READ = 'analytics:read';

export function registerAnalyticsRoutes(app: HttpApp, deps: AnalyticsDeps, ingest: StorefrontIngest): void {
  app.post(
    '/analytics/events',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Send storefront events',
        description:
          'A batch of up to 500 events (page_view, product_view, add_to_cart, checkout_started). Events without an id get one from their content, so a resend is dropped as a duplicate. IP, user agent and visitor fields are masked before storage. 202 once queued; 429 ingest_queue_full with Retry-After when the ingest queue has no room for the batch; rate limited per client like every route.',
        body: storefrontBatchSchema,
        response: { 202: acceptedSchema },
      },
    },
    async (request, reply) => {
      const result = ingest.accept(request.body.events, {
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        traceparent:
          typeof request.headers.traceparent === 'string' ? request.headers.traceparent : undefined,
      });
      return reply.status(202).send(result);
    },
  );

  const range = (q: { from?: string | undefined; to?: string | undefined }) =>
    parseRange(q, deps.clock.now(), deps.maxRangeDays);
  const window = (r: { from: Date; to: Date }) => ({ from: r.from.toISOString(), to: r.to.toISOString() });
  const report = { config: { access: access.admin(READ) } };

  app.get(
    '/analytics/dashboard/overview',
    {
      ...report,
      schema: {
        tags,
        security,
        summary: 'Dashboard overview',
        querystring: rangeQuery,
        response: { 200: overviewSchema },
      },
    },
    async (request) => overview(deps, range(request.query)),
  );

  app.get(
    '/analytics/revenue',
    {
      ...report,
      schema: {
        tags,
        security,
        summary: 'Revenue net of refunds, per currency',
        description:
          'Captured minus refunded money that moved in the window, plus the hourly and daily aggregates.',
        querystring: rangeQuery,
        response: { 200: revenueSchema },
      },
    },
    async (request) => {
      const r = range(request.query);
      return {
        ...window(r),
        byCurrency: await revenueByCurrency(deps.db, r),
        daily: await revenueSeries(deps.db, r, 'day'),
        hourly: await revenueSeries(deps.db, r, 'hour'),
      };
    },
  );

  app.get(
    '/analytics/orders',
    {
      ...report,
      schema: {
        tags,
        security,
        summary: 'Orders by status, fulfillment times, carrier performance, returns',
        querystring: rangeQuery,
        response: { 200: ordersSchema },
      },
    },
    async (request) => {
      const r = range(request.query);
      return { ...window(r), ...(await ordersSummary(deps.db, r)) };
    },
  );

  app.get(
    '/analytics/products/performance',
    {
      ...report,
      schema: {
        tags,
        security,
        summary: 'Product and category performance',
        querystring: rangeQuery,
        response: { 200: productsSchema },
      },
    },
    async (request) => {
      const r = range(request.query);
      return { ...window(r), ...(await productPerformance(deps.db, r)) };
    },
  );

  app.get(
    '/analytics/customers/summary',
    {
      ...report,
      schema: {
        tags,
        security,
        summary: 'Customers new and returning, active users, conversion funnel, cohorts',
        querystring: rangeQuery,
        response: { 200: customersSchema },
      },
    },
    async (request) => {
      const r = range(request.query);
      return { ...window(r), ...(await customersSummary(deps.db, r)) };
    },
  );

  app.get(
    '/analytics/inventory',
    {
      ...report,
      schema: {
        tags,
        security,
        summary: 'Low-stock alerts, stock corrections and SLA breaches',
        querystring: rangeQuery,
        response: { 200: inventorySchema },
      },
    },
    async (request) => {
      const r = range(request.query);
      return { ...window(r), ...(await inventorySummary(deps.db, r)) };
    },
  );

  app.get(
    '/analytics/realtime',
    {
      ...report,
      schema: {
        tags,
        security,
        summary: 'The last minutes (ANALYTICS_REALTIME_MINUTES) from stored events',
        response: { 200: realtimeSchema },
      },
    },
    async () => realtime(deps),
  );
}
