import { z } from 'zod';

/** Storefront event types, in funnel order (the last stage, `order`, comes from order facts). */
export const STOREFRONT_TYPES = ['page_view', 'product_view', 'add_to_cart', 'checkout_started'] as const;
export type StorefrontType = (typeof STOREFRONT_TYPES)[number];

/** One event of `POST /analytics/events` (03-api.md); `visitor` and `orderId` are additive fields. */
export const storefrontEventSchema = z.strictObject({
  id: z.uuid().optional(),
  type: z.enum(STOREFRONT_TYPES),
  sessionId: z.string().min(1).max(128),
  productId: z.uuid().optional(),
  url: z.string().min(1).max(2048).optional(),
  referrer: z.string().min(1).max(2048).optional(),
  occurredAt: z.iso.datetime({ offset: true }),
  /** The order a `checkout_started` led to, when the storefront knows it (funnel's last stage). */
  orderId: z.uuid().optional(),
  /** What a storefront knows about the visitor; masked before storage, never returned (G10). */
  visitor: z
    .strictObject({
      email: z.email().max(320).optional(),
      firstName: z.string().min(1).max(200).optional(),
      lastName: z.string().min(1).max(200).optional(),
    })
    .optional(),
});
export type StorefrontEvent = z.infer<typeof storefrontEventSchema>;

export const STOREFRONT_BATCH_MAX = 500;
export const storefrontBatchSchema = z.strictObject({
  events: z.array(storefrontEventSchema).min(1).max(STOREFRONT_BATCH_MAX),
});
