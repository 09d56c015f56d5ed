import { z } from 'zod';
import { id, money, occurredAt } from './common.schemas.js';
import { defineEvent } from './contract.js';

/**
 * A promotion's usage moved (moved here from catalog.events.ts, where it was declared ahead of the
 * service): reserved by a checkout, confirmed when the order was delivered, or
 * released (checkout failed, order cancelled or refunded). `uses` and `discountUsed` are the
 * promotion's counters after the change (reserved + confirmed), so a reader needs no lookup.
 */
export const promotionUsageChanged = defineEvent({
  topic: 'promotion.usage.changed',
  version: 1,
  publisher: 'promotion',
  consumers: ['analytics'],
  key: 'promotion id',
  description: 'Promotion usage reserved, confirmed or released (PM-P0-01, P1-2025-03).',
  schema: z.object({
    promotionId: id,
    orderId: id,
    customerId: id.nullable(),
    change: z.enum(['reserved', 'confirmed', 'released']),
    discount: money,
    // Additive (v1): the promotion's counters after the change and why usage was released.
    uses: z.number().int().nonnegative(),
    discountUsed: money,
    reason: z.string().nullable(),
    occurredAt,
  }),
});
