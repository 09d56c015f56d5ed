import { z } from 'zod';
import { cursorQuery, pageLimitQuery } from '../../../platform/http/pagination.js';
import { MAX_STOCK_UNITS } from '../domain/stock.js';
import { MAX_CAPACITY_PER_DAY, WAREHOUSE_STATUSES } from '../domain/warehouse.js';

/**
 * Request and response schemas of the warehouse routes (the OpenAPI document is generated from
 * them). Shapes and types here; the rules (code format, ranges) live in domain/ for every caller.
 */
const address = z.object({
  line1: z.string().max(200),
  city: z.string().max(100),
  postalCode: z.string().max(20),
  country: z.string().max(2).describe('ISO 3166-1 alpha-2'),
});
const location = z.object({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});
const capacityPerDay = z
  .number()
  .int()
  .min(1)
  .max(MAX_CAPACITY_PER_DAY)
  .describe('Units the warehouse can ship per day');

export const createWarehouseBody = z.object({
  code: z.string().max(32).describe("Unique; letters, digits, '_' or '-' (stored upper case)"),
  name: z.string().max(200),
  capacityPerDay,
  address,
  location,
});

export const updateWarehouseBody = z.object({
  name: z.string().max(200).optional(),
  capacityPerDay: capacityPerDay.optional(),
  address: address.optional(),
  location: location.optional(),
  status: z.enum(WAREHOUSE_STATUSES).optional().describe('inactive is refused (409) while stock is reserved'),
});

export const warehouseSchema = z.object({
  id: z.guid(),
  code: z.string(),
  name: z.string(),
  capacityPerDay: z.number().int(),
  address,
  location,
  status: z.enum(WAREHOUSE_STATUSES),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const warehousePageSchema = z.object({
  items: z.array(warehouseSchema),
  nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page'),
});

export const warehouseParams = z.object({ id: z.guid() });

export const warehouseListQuery = z.object({
  status: z.enum(WAREHOUSE_STATUSES).optional(),
  cursor: cursorQuery(),
  limit: pageLimitQuery,
});

const units = z.number().int().min(0).max(MAX_STOCK_UNITS);
const threshold = units
  .nullable()
  .optional()
  .describe('Low-stock threshold for this row; null = the default');

export const stockParams = z.object({ warehouseId: z.guid(), sku: z.string().min(1).max(64) });
export const skuParams = z.object({ sku: z.string().min(1).max(64) });

export const writeStockBody = z.union([
  z.object({ onHand: units.describe('Sets on hand'), lowStockThreshold: threshold }).strict(),
  z
    .object({
      delta: z
        .number()
        .int()
        .min(-MAX_STOCK_UNITS)
        .max(MAX_STOCK_UNITS)
        .refine((d) => d !== 0, 'must not be 0')
        .describe('Adds to on hand (negative removes)'),
      reason: z.string().trim().min(1).max(500).describe('Why (kept in the inventory ledger)'),
      lowStockThreshold: threshold,
    })
    .strict(),
]);

export const stockSchema = z.object({
  warehouseId: z.guid(),
  sku: z.string(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
  lowStockThreshold: z.number().int().nullable(),
});

export const stockBySkuSchema = z.object({
  sku: z.string(),
  items: z.array(
    z.object({
      warehouseId: z.guid(),
      warehouseCode: z.string(),
      warehouseStatus: z.enum(WAREHOUSE_STATUSES),
      onHand: z.number().int(),
      reserved: z.number().int(),
      available: z.number().int(),
      lowStockThreshold: z.number().int().nullable(),
    }),
  ),
});

export const MAX_IMPORT_ROWS = 1000;

export const importBody = z.object({
  items: z
    .array(
      z
        .object({
          warehouseId: z.string().max(64).optional(),
          warehouseCode: z.string().max(32).optional(),
          sku: z.string().min(1).max(64),
          onHand: units,
        })
        .refine((r) => (r.warehouseId === undefined) !== (r.warehouseCode === undefined), {
          message: 'give exactly one of warehouseId and warehouseCode',
        }),
    )
    .min(1)
    .max(MAX_IMPORT_ROWS),
});

export const importResultSchema = z.object({
  results: z.array(
    z.object({
      index: z.number().int(),
      status: z.enum(['ok', 'error']),
      sku: z.string(),
      warehouseId: z.guid().optional(),
      onHand: z.number().int().optional(),
      reserved: z.number().int().optional(),
      code: z.string().optional(),
      message: z.string().optional(),
    }),
  ),
  succeeded: z.number().int(),
  failed: z.number().int(),
});
