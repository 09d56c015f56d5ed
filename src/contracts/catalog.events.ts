import { z } from 'zod';
import { id, money, occurredAt, sku } from './common.schemas.js';
import { defineEvent } from './contract.js';

// Pricing reads products through the catalog client when a price is set; it keeps no copy to refresh.
const PRICING_READS_CATALOG =
  'pricing reads products from the catalog client when prices are set; it keeps no copy';

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
  consumers: ['warehouse', 'analytics'],
  deferredConsumers: { pricing: PRICING_READS_CATALOG },
  key: 'product id',
  description: 'A product was created (warehouse opens stock rows).',
  schema: product,
});

export const productUpdated = defineEvent({
  topic: 'catalog.product.updated',
  version: 1,
  publisher: 'catalog',
  consumers: ['analytics'],
  deferredConsumers: {
    warehouse: 'stock rows are opened on catalog.product.created; no product change alters stock',
    pricing: PRICING_READS_CATALOG,
  },
  key: 'product id',
  description: 'A product changed; carries the full current state so a consumer never reads back.',
  schema: product.extend({ changedFields: z.array(z.string()), version: z.number().int().positive() }),
});

export const priceChanged = defineEvent({
  topic: 'pricing.price.changed',
  version: 1,
  publisher: 'pricing',
  consumers: ['analytics'],
  // Not a cache-invalidation signal: a consumer group hands each event to ONE replica, so
  // pricing drops its cache entries itself after the commit and other replicas by TTL (price.cache.ts).
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

const review = z.object({ reviewId: id, productId: id, rating: z.number().int().min(1).max(5), occurredAt });

export const reviewPublished = defineEvent({
  topic: 'review.review.published',
  version: 1,
  publisher: 'review',
  consumers: ['catalog', 'analytics'],
  key: 'product id',
  description:
    'A review became visible (published on posting or approved by a moderator); catalog keeps the rating summary.',
  schema: review,
});

export const reviewRemoved = defineEvent({
  topic: 'review.review.removed',
  version: 1,
  publisher: 'review',
  consumers: ['catalog', 'analytics'],
  key: 'product id',
  description:
    'A published review is no longer visible (rejected by a moderator or withdrawn by its author); catalog takes it out of the rating summary.',
  schema: review,
});
