import { z } from 'zod';
import { cursorQuery, pageLimitQuery } from '../../../platform/http/pagination.js';
import { BODY_MAX, BODY_MIN, REASON_MAX, TITLE_MAX } from '../domain/review.js';
import { REVIEW_STATUSES } from '../domain/review-status.js';

/** Schemas of the review routes (the OpenAPI document is generated from them). */
const text = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .regex(
      /^(?:[^\p{Cc}]|[\n\r\t])*$/u,
      'must not contain control characters other than line breaks and tabs',
    );

export const reviewBody = z.object({
  rating: z.number().int().min(1).max(5).describe('Whole stars, 1-5'),
  title: text(1, TITLE_MAX).describe(`1-${TITLE_MAX} characters`),
  body: text(BODY_MIN, BODY_MAX).describe(`${BODY_MIN}-${BODY_MAX} characters; line breaks allowed`),
});

export const rejectBody = z.object({
  reason: text(3, REASON_MAX).describe('Why the review is refused (kept for the audit)'),
});

export const productParams = z.object({ id: z.guid('must be a product id (UUID)') });
export const reviewParams = z.object({ id: z.string().max(100) });
export const pageQuery = z.object({ limit: pageLimitQuery, cursor: cursorQuery() });
export const queueQuery = pageQuery.extend({
  status: z.enum(REVIEW_STATUSES).default('pending').describe('Which reviews (default pending)'),
});

export const publicReviewSchema = z.object({
  id: z.guid(),
  productId: z.guid(),
  rating: z.number().int(),
  title: z.string(),
  body: z.string(),
  author: z.string().describe('The author’s first name, or "a customer" (unknown or erased)'),
  verifiedPurchase: z.boolean().describe('Written by a customer who received the product'),
  createdAt: z.string(),
});

export const reviewSchema = publicReviewSchema.extend({
  status: z.enum(REVIEW_STATUSES),
  screening: z
    .array(z.enum(['link', 'banned_word', 'repeated_text', 'duplicate_text', 'rating_mismatch']))
    .describe('Why automatic screening held it for moderation; empty when it passed'),
  moderationReason: z.string().nullable(),
  moderatedAt: z.string().nullable(),
});

export const ratingSummarySchema = z
  .object({
    count: z.number().int(),
    average: z
      .object({ numerator: z.number().int(), denominator: z.number().int() })
      .nullable()
      .describe('Exact average: sum of ratings / count, reduced; null without ratings'),
    histogram: z.object({
      '1': z.number().int(),
      '2': z.number().int(),
      '3': z.number().int(),
      '4': z.number().int(),
      '5': z.number().int(),
    }),
  })
  .describe('Of the published reviews');

export const publicPageSchema = z.object({
  items: z.array(publicReviewSchema),
  nextCursor: z.string().nullable(),
  summary: ratingSummarySchema,
});

export const queuePageSchema = z.object({ items: z.array(reviewSchema), nextCursor: z.string().nullable() });
