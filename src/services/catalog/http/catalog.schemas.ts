import { z } from 'zod';
import { cursorQuery, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../../platform/http/pagination.js';
import { isUuid } from '../../../platform/ids.js';
import { currencySchema } from '../../../platform/money.js';
import { positiveInt4 } from '../../../platform/validation/integers.js';
import {
  ATTRIBUTE_KEY_MAX,
  ATTRIBUTES_MAX_KEYS,
  DESCRIPTION_MAX,
  NAME_MAX,
  PRODUCT_STATUSES,
} from '../domain/product.js';

/**
 * Request and response schemas of the catalog routes (the OpenAPI document is generated from
 * them). They check shape and types at the edge; the product rules themselves (sku format,
 * lengths in characters, control characters, attribute limits) live in domain/product.ts and
 * apply to every caller, HTTP or not.
 */
const attributeValue = z.union([z.string(), z.number(), z.boolean()]);
const attributes = z
  .record(z.string(), attributeValue)
  .describe(
    `Flat object of string, number or boolean values; at most ${ATTRIBUTES_MAX_KEYS} keys of 1-${ATTRIBUTE_KEY_MAX} characters`,
  );

const moneySchema = z.object({
  amount: z.string().describe('Integer minor units as a string (e.g. "2500" is 25.00 USD)'),
  currency: z.string().describe('ISO 4217 code'),
});

export const productSchema = z.object({
  id: z.guid(),
  sku: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  category: z.string().nullable().describe('Category slug'),
  attributes,
  status: z.enum(PRODUCT_STATUSES),
  version: z.number().int().describe('Send it back with PATCH for optimistic locking'),
  createdAt: z.string(),
  updatedAt: z.string(),
  price: moneySchema.nullable().describe('Price in the requested currency; null when unpriced'),
  available: z.number().int().nullable().describe('Units available to sell; null when unknown'),
  rating: z
    .object({
      count: z.number().int(),
      average: z
        .object({ numerator: z.number().int(), denominator: z.number().int() })
        .nullable()
        .describe('Exact average: sum of ratings / count, reduced'),
    })
    .nullable()
    .optional()
    .describe(
      'Summary of the published reviews; null while there are none (GET /products/{id}/reviews has the histogram)',
    ),
});

export const productPageSchema = z.object({
  items: z.array(productSchema),
  nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page'),
});

export const categorySchema = z.object({
  id: z.guid(),
  slug: z.string(),
  name: z.string(),
  parent: z.string().nullable().describe('Parent category slug'),
});

export const categoryListSchema = z.object({ items: z.array(categorySchema) });

const currency = currencySchema.default('USD').describe('Currency of `price` (ISO 4217, default USD)');

export const productListQuery = z.object({
  q: z.string().max(200).optional().describe('Search: every word as a prefix (AND), or an exact sku'),
  category: z.string().max(200).optional().describe('Category slug; an unknown slug gives an empty list'),
  cursor: cursorQuery().describe('Opaque cursor from nextCursor'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .describe(`Page size, 1-${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}); does not apply to ids`),
  currency,
  ids: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const ids = value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      if (ids.length === 0 || ids.length > MAX_PAGE_SIZE || !ids.every(isUuid)) {
        ctx.addIssue({
          code: 'custom',
          message: `must be 1-${MAX_PAGE_SIZE} comma-separated product ids (UUIDs)`,
        });
        return z.NEVER;
      }
      return ids;
    })
    .describe(
      `Bulk get: comma-separated product ids (at most ${MAX_PAGE_SIZE}), returned in this order; ` +
        'cannot be combined with q, category or cursor',
    ),
});

export const productParams = z.object({ id: z.guid('must be a product id (UUID)') });

export const productGetQuery = z.object({ currency });

export const createProductBody = z.object({
  sku: z
    .string()
    .describe("1-64 letters, digits, '.', '_' or '-', starting with a letter or digit; stored upper-case"),
  name: z.string().describe(`1-${NAME_MAX} characters`),
  description: z.string().optional().describe(`At most ${DESCRIPTION_MAX} characters`),
  category: z.string().optional().describe('Category slug'),
  attributes: attributes.optional(),
});

export const updateProductBody = z.object({
  sku: z.unknown().optional().describe('Immutable: sending it is refused'),
  name: z.string().optional(),
  description: z.string().nullable().optional().describe('null removes the description'),
  category: z
    .string()
    .nullable()
    .optional()
    .describe('Category slug; null removes the product from its category'),
  attributes: attributes.optional().describe('Replaces all attributes'),
  status: z.enum(PRODUCT_STATUSES).optional().describe('archived hides the product from the public list'),
  version: positiveInt4()
    .optional()
    .describe('The version you last read; when given and stale the change is refused with 409 conflict'),
});

export const createCategoryBody = z.object({
  slug: z
    .string()
    .describe('Lower-case words of letters and digits joined by hyphens, at most 64 characters'),
  name: z.string().describe('1-100 characters'),
  parent: z.string().optional().describe('Parent category slug'),
});
