import { z } from 'zod';

/** Request and response schemas of the analytics routes (03-api.md "Analytics"). */
export const rangeQuery = z.strictObject({
  from: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('Start of the window (inclusive); default 30 days before `to`'),
  to: z.iso.datetime({ offset: true }).optional().describe('End of the window (exclusive); default now'),
});

const money = z.object({ amount: z.string(), currency: z.string() });
const count = z.number().int().nonnegative();

export const acceptedSchema = z.object({
  accepted: count.describe('Events queued for storage'),
  duplicates: count.describe('Events already received (by id or content), dropped'),
});

export const revenueRow = z.object({
  currency: z.string(),
  captured: money,
  refunded: money,
  net: money.describe('captured - refunded'),
  capturedPayments: count,
});

const statusCount = z.object({ status: z.string(), orders: count });
const orderValue = z.object({ currency: z.string(), orders: count, total: money, averageOrderValue: money });

export const revenueSchema = z.object({
  from: z.string(),
  to: z.string(),
  byCurrency: z.array(revenueRow),
  daily: z.array(z.object({ bucketStart: z.string(), net: money })).describe('From the daily aggregates'),
  hourly: z.array(z.object({ bucketStart: z.string(), net: money })).describe('From the hourly aggregates'),
});

export const ordersSchema = z.object({
  from: z.string(),
  to: z.string(),
  placed: count,
  byStatus: z.array(statusCount),
  valueByCurrency: z.array(orderValue),
  fulfillment: z.object({ shipped: count, averageSecondsToShip: z.number().nullable() }),
  carriers: z.array(
    z.object({
      carrier: z.string(),
      shipments: count,
      delivered: count,
      failedDeliveries: count,
      averageTransitSeconds: z.number().nullable(),
    }),
  ),
  returns: z.array(z.object({ status: z.string(), returns: count, units: count })),
});

export const productsSchema = z.object({
  from: z.string(),
  to: z.string(),
  products: z.array(
    z.object({
      sku: z.string(),
      category: z.string().nullable(),
      orders: count,
      units: count,
      revenue: money,
    }),
  ),
  categories: z.array(z.object({ category: z.string().nullable(), units: count, revenue: money })),
  views: z.array(
    z.object({ productId: z.string(), sku: z.string().nullable(), views: count, addToCarts: count }),
  ),
});

const funnelStage = z.object({
  stage: z.enum(['page_view', 'product_view', 'add_to_cart', 'checkout_started', 'order']),
  sessions: count,
});

export const customersSchema = z.object({
  from: z.string(),
  to: z.string(),
  newCustomers: count,
  returningCustomers: count,
  registrations: count,
  activeCustomers: count.describe('Distinct customers who logged in'),
  activeSessions: count.describe('Distinct storefront sessions'),
  funnel: z.array(funnelStage),
  cohorts: z.array(z.object({ cohort: z.string(), month: z.string(), customers: count })),
});

export const inventorySchema = z.object({
  from: z.string(),
  to: z.string(),
  lowStock: z.array(z.object({ sku: z.string(), alerts: count, lowestAvailable: z.number().int() })),
  reconciliations: z.array(z.object({ sku: z.string(), corrections: count, unitsCorrected: count })),
  slaBreaches: count,
});

export const realtimeSchema = z.object({
  windowMinutes: count,
  from: z.string(),
  to: z.string(),
  eventsByTopic: z.array(z.object({ topic: z.string(), events: count })),
  activeSessions: count,
  revenue: z.array(revenueRow),
  recentOrders: z.array(
    z.object({ orderId: z.string(), status: z.string(), total: money, placedAt: z.string() }),
  ),
});

export const overviewSchema = z.object({
  from: z.string(),
  to: z.string(),
  revenue: z.array(revenueRow),
  orders: z.object({ placed: count, byStatus: z.array(statusCount), valueByCurrency: z.array(orderValue) }),
  customers: z.object({ newCustomers: count, returningCustomers: count, registrations: count }),
  sessions: count,
  conversionRate: z.number().nullable().describe('Sessions that ordered / sessions with a page view'),
});

const backfillStatus = z.enum(['queued', 'running', 'completed', 'failed']);

export const backfillRequestSchema = z.strictObject({
  from: z.iso.datetime({ offset: true }).describe('Start of the window (inclusive), outbox creation time'),
  to: z.iso
    .datetime({ offset: true })
    .describe(
      'End of the window (exclusive); not in the future, at most ANALYTICS_BACKFILL_MAX_WINDOW_HOURS after from',
    ),
  topics: z
    .array(z.string().min(1).max(200))
    .min(1)
    .max(100)
    .optional()
    .describe('Ingested topics to re-read; default every ingested topic whose publisher runs here'),
});

export const backfillParams = z.object({ id: z.uuid() });

const backfillCounts = {
  eventsRead: count.describe('Events read from the source outbox'),
  ingested: count.describe('Events new to analytics, stored and applied'),
  duplicates: count.describe('Events analytics already had (from the bus or an earlier backfill)'),
  invalid: count.describe('Events that failed their contract, dead-lettered'),
};

export const backfillSchema = z.object({
  id: z.string(),
  status: backfillStatus,
  from: z.string(),
  to: z.string(),
  topics: z.array(z.string()),
  requestedBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  historyFrom: z
    .string()
    .describe('The source outboxes keep published events from about this time on (OUTBOX_RETENTION_HOURS)'),
  totals: z.object(backfillCounts),
  sources: z.array(
    z.object({
      source: z.string().describe('The publishing service'),
      topics: z.array(z.string()),
      status: backfillStatus,
      ...backfillCounts,
      cursor: z.string().nullable().describe('Where the next page starts in the source history'),
      error: z
        .string()
        .nullable()
        .describe('The last failure; a transient one is retried by the next job run'),
      updatedAt: z.string(),
    }),
  ),
});
