import { z } from 'zod';
import { pageLimitQuery } from '../../../platform/http/pagination.js';
import { FULFILLMENT_STATUSES } from '../domain/fulfillment-status.js';
import { PACKAGE_STATUSES } from '../domain/package-progress.js';

/** Request and response schemas of the fulfillment routes (03-api.md, fixed contract). */
/** A picklist is a batch a picker works in one round; larger sets are split by the caller. */
export const MAX_PICKLIST_SIZE = 100;
/** 1 000 kg: beyond any parcel a carrier takes; guards against unit mistakes (kg vs g). */
const MAX_WEIGHT_GRAMS = 1_000_000;
const MAX_DIMENSION_MM = 10_000;

const packageSchema = z.object({
  id: z.uuid(),
  status: z.enum(PACKAGE_STATUSES),
  weightGrams: z.number().int(),
  lengthMm: z.number().int().nullable(),
  widthMm: z.number().int().nullable(),
  heightMm: z.number().int().nullable(),
  shippedAt: z.string().nullable().describe('When the carrier had it (its shipment reached in_transit)'),
  deliveredAt: z.string().nullable(),
});

export const fulfillmentSchema = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  warehouseId: z.uuid(),
  status: z.enum(FULFILLMENT_STATUSES),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
  picklistId: z.uuid().nullable(),
  packages: z.array(packageSchema),
  carrier: z.string().nullable().describe("The carrier of the order's shipping method"),
  shippedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  slaDueAt: z.string().describe('Ship-by time (FULFILLMENT_SLA_HOURS after creation)'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const fulfillmentPageSchema = z.object({
  items: z.array(fulfillmentSchema),
  nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page'),
});

export const fulfillmentListQuery = z.object({
  orderId: z.guid().optional(),
  status: z.enum(FULFILLMENT_STATUSES).optional(),
  warehouseId: z.guid().optional(),
  cursor: z.string().max(200).optional(),
  limit: pageLimitQuery,
});

export const fulfillmentParams = z.object({ id: z.guid() });

export const picklistBody = z.object({
  fulfillmentIds: z.array(z.guid()).min(1).max(MAX_PICKLIST_SIZE),
});

export const picklistSchema = z.object({
  id: z.uuid(),
  status: z.string(),
  fulfillmentIds: z.array(z.uuid()),
  createdAt: z.string(),
});

const dimension = z.number().int().min(1).max(MAX_DIMENSION_MM).optional();
export const packBody = z.object({
  packages: z
    .array(
      z.object({
        weightGrams: z.number().int().min(1).max(MAX_WEIGHT_GRAMS),
        lengthMm: dimension,
        widthMm: dimension,
        heightMm: dimension,
      }),
    )
    .min(1)
    .max(100),
});
