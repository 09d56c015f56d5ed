import { z } from 'zod';
import { id, money, occurredAt, sku } from './common.schemas.js';
import { defineEvent } from './contract.js';

/** catalog, pricing, promotion and review topics. */
const product = z.object({
  productId: id,
  sku,
  name: z.string().min(1).max(500),
  /** Category slug, or null when the product is uncategorized. */
  category: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'category slug')
    .nullable(),
  status: z.enum(['draft', 'active', 'archived']),
  occurredAt,
});

export const productCreated = defineEvent({
  topic: 'catalog.product.created',
  version: 1,
  publisher: 'catalog',
  consumers: ['warehouse', 'pricing', 'analytics'],
  key: 'product id',
  description: 'A product was created (warehouse opens stock rows, pricing caches it).',
  schema: product,
});

export const productUpdated = defineEvent({
  topic: 'catalog.product.updated',
  version: 1,
  publisher: 'catalog',
  consumers: ['warehouse', 'pricing', 'analytics'],
  key: 'product id',
  description: 'A product changed; carries the full current state so a consumer never reads back.',
  schema: product.extend({ changedFields: z.array(z.string()), version: z.number().int().positive() }),
});

export const priceChanged = defineEvent({
  topic: 'pricing.price.changed',
  version: 1,
  publisher: 'pricing',
  consumers: ['analytics'],
  key: 'sku',
  description: 'A price was set (history): what it was, what it is and from when.',
  schema: z.object({
    sku,
    productId: id.nullable(),
    /** The price in effect at effectiveFrom before this change; null when there was none. */
    oldPrice: money.nullable(),
    newPrice: money,
    /** When the new price applies (may be in the future); added in v1, optional for older events. */
    effectiveFrom: occurredAt.optional(),
    /** When it ends; null while open-ended. */
    effectiveTo: occurredAt.nullable().optional(),
    occurredAt,
  }),
});

export const reviewPublished = defineEvent({
  topic: 'review.review.published',
  version: 1,
  publisher: 'review',
  consumers: ['analytics', 'catalog'],
  key: 'product id',
  description: 'A review became visible (catalog keeps the rating summary).',
  schema: z.object({ reviewId: id, productId: id, rating: z.number().int().min(1).max(5), occurredAt }),
});
