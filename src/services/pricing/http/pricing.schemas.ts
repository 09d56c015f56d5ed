import { z } from 'zod';
import { cursorQuery, pageLimitQuery, UUID_KEY } from '../../../platform/http/pagination.js';
import { amountSchema, currencySchema } from '../../../platform/money.js';
import { TAX_BPS_MAX } from '../app/rates.js';
import { MAX_BULK_ROWS, REASON_MAX } from '../app/set-prices.js';
import { PRICE_SOURCES } from '../domain/price-change.js';

/**
 * Request and response schemas of the pricing admin routes (OpenAPI is generated from them). They
 * check shape at the edge; the price rules (amount range, currency, dates, overrides) live in
 * domain/price-change.ts so a bulk row gets the same message as a single PUT.
 */
/** Keys of the rate lists' cursors: a currency pair and a country code. */
const PAIR_KEY = /^[A-Z]{3}\/[A-Z]{3}$/;
const COUNTRY_KEY = /^[A-Z]{2}$/;
const instant = z.string().describe('ISO 8601 date-time with offset, e.g. 2025-03-01T00:00:00Z');

const limit = pageLimitQuery;
const cursor = cursorQuery;

const nextCursor = z
  .string()
  .nullable()
  .describe('Pass as ?cursor= for the next page; null on the last page');

export const skuParams = z.object({
  sku: z.string().min(1).max(64).describe('Catalog sku (case-insensitive)'),
});

export const setPriceBody = z.object({
  amount: amountSchema,
  currency: currencySchema,
  effectiveFrom: instant
    .optional()
    .describe('When the price starts; default now. Earlier than now is an override'),
  effectiveTo: instant.optional().describe('When it ends; default open-ended (until a later price)'),
  override: z
    .boolean()
    .optional()
    .describe('Required for an override (backdated or zero price); needs permission pricing:override'),
  reason: z.string().optional().describe(`Why (1-${REASON_MAX} characters); required with override, audited`),
});

export const priceSchema = z.object({
  id: z.guid(),
  sku: z.string(),
  amount: z.string().describe('Integer minor units'),
  currency: z.string(),
  effectiveFrom: z.string(),
  effectiveTo: z.string().nullable().describe('null: open-ended'),
  source: z.enum(PRICE_SOURCES),
  createdBy: z.string(),
  createdAt: z.string(),
});

export const historyQuery = z.object({
  currency: currencySchema.optional().describe('Only this currency'),
  limit,
  cursor: cursor(UUID_KEY),
});

export const historyPageSchema = z.object({
  items: z.array(
    priceSchema.extend({
      override: z
        .object({ reason: z.string(), actor: z.string(), conditions: z.array(z.string()) })
        .nullable()
        .describe('Set when this price was an override'),
    }),
  ),
  nextCursor,
});

const bulkItem = z.object({
  sku: z.string().optional(),
  amount: z.string().optional(),
  currency: z.string().optional(),
  effectiveFrom: z.string().optional(),
  effectiveTo: z.string().optional(),
});

export const bulkBody = z
  .object({ items: z.array(bulkItem).min(1).max(MAX_BULK_ROWS) })
  .describe(
    `JSON {items: [...]} or text/csv with the header sku,amount,currency[,effectiveFrom][,effectiveTo]; at most ${MAX_BULK_ROWS} rows`,
  );

export const bulkResultSchema = z.object({
  results: z.array(
    z.object({
      row: z.number().int().describe('1-based: position in items, or CSV data line after the header'),
      sku: z.string(),
      status: z.enum(['ok', 'error']),
      error: z.string().optional(),
    }),
  ),
  applied: z.number().int(),
  failed: z.number().int(),
});

export const pairParams = z.object({ base: currencySchema, quote: currencySchema });
export const rateBody = z.object({
  rate: z.string().describe('Units of quote per one base, decimal string, e.g. "1.0856"'),
});
export const rateSchema = z.object({
  base: z.string(),
  quote: z.string(),
  rate: z.string(),
  fetchedAt: z.string(),
  source: z.string(),
  stale: z
    .boolean()
    .describe('Older than PRICING_EXCHANGE_RATE_MAX_AGE_MINUTES: conversion with it is refused'),
});
export const ratesQuery = z.object({ limit, cursor: cursor(PAIR_KEY) });
export const ratesPageSchema = z.object({ items: z.array(rateSchema), nextCursor });

export const countryParams = z.object({
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE'),
});
export const taxBody = z.object({
  rateBps: z.number().int().min(0).max(TAX_BPS_MAX).describe('Basis points: 825 is 8.25 %'),
});
export const taxSchema = z.object({ country: z.string(), rateBps: z.number().int(), updatedAt: z.string() });
export const taxQuery = z.object({ limit, cursor: cursor(COUNTRY_KEY) });
export const taxPageSchema = z.object({ items: z.array(taxSchema), nextCursor });
