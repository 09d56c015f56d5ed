import type { FastifyRequest } from 'fastify';
import { requestCtx } from '../../../platform/context.js';
import { AppError } from '../../../platform/errors/app-error.js';
import { encodeCursor } from '../../../platform/http/pagination.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import type { ReviewDeps } from '../app/deps.js';
import { fullView, publicView, publishedPage, queuePage, ratingSummary } from '../app/review-reads.js';
import { moveReview, postReview } from '../app/reviews.js';
import {
  pageQuery,
  productParams,
  publicPageSchema,
  queuePageSchema,
  queueQuery,
  rejectBody,
  reviewBody,
  reviewParams,
  reviewSchema,
} from './review.schemas.js';

const security = [{ bearer: [] }];
const tags = ['reviews'];
const adminTags = ['reviews (admin)'];

function customerId(request: FastifyRequest): string {
  const p = request.principal;
  if (p?.type !== 'customer') throw new AppError('forbidden', 'forbidden', 'Customers only');
  return p.id;
}

const cursor = (lastId: string | null) => (lastId ? encodeCursor(lastId) : null);

export function registerReviewRoutes(app: HttpApp, deps: ReviewDeps): void {
  app.post(
    '/products/:id/reviews',
    {
      config: { access: access.customer() },
      schema: {
        tags,
        security,
        summary: 'Review a product you received',
        description:
          'Only with a delivered order containing the product (403 not_purchased), once per product (409 already_reviewed). Automatic screening (links, banned words, repeated text, rating/text mismatch) holds a review as pending for a moderator; otherwise it is published at once.',
        params: productParams,
        body: reviewBody,
        response: { 201: reviewSchema },
      },
    },
    async (request, reply) => {
      const row = await postReview(
        requestCtx(request),
        deps,
        customerId(request),
        request.params.id.toLowerCase(),
        request.body,
      );
      return reply.code(201).send(fullView(row));
    },
  );

  app.get(
    '/products/:id/reviews',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: "A product's published reviews with its rating summary",
        description: 'Newest first, cursor-paginated; the summary counts every published review.',
        params: productParams,
        querystring: pageQuery,
        response: { 200: publicPageSchema },
      },
    },
    async (request) => {
      const productId = request.params.id.toLowerCase();
      const [page, summary] = await Promise.all([
        publishedPage(deps.db, productId, { limit: request.query.limit, beforeId: request.query.cursor }),
        ratingSummary(deps.db, productId),
      ]);
      return { items: page.items.map(publicView), nextCursor: cursor(page.lastId), summary };
    },
  );

  app.delete(
    '/reviews/:id',
    {
      config: { access: access.customer() },
      schema: {
        tags,
        security,
        summary: 'Withdraw your own review',
        description:
          'Only your own (G9: another customer’s review is 404). A published review leaves the list and the summary. The product cannot be reviewed again.',
        params: reviewParams,
        response: { 200: reviewSchema },
      },
    },
    async (request) =>
      fullView(
        await moveReview(requestCtx(request), deps, request.params.id, 'withdrawn', {
          owner: customerId(request),
        }),
      ),
  );

  app.get(
    '/admin/reviews',
    {
      config: { access: access.staff('reviews:read') },
      schema: {
        tags: adminTags,
        security,
        summary: 'The moderation queue',
        description: 'Reviews in a status (default pending), oldest first, cursor-paginated.',
        querystring: queueQuery,
        response: { 200: queuePageSchema },
      },
    },
    async (request) => {
      const { status, limit, cursor: afterId } = request.query;
      const page = await queuePage(deps.db, status, { limit, afterId });
      return { items: page.items.map(fullView), nextCursor: cursor(page.lastId) };
    },
  );

  app.post(
    '/admin/reviews/:id/approve',
    {
      config: { access: access.staff('reviews:write') },
      schema: {
        tags: adminTags,
        security,
        summary: 'Publish a pending review',
        description: 'Only a pending review (409 invalid_transition otherwise).',
        params: reviewParams,
        response: { 200: reviewSchema },
      },
    },
    async (request) => fullView(await moveReview(requestCtx(request), deps, request.params.id, 'published')),
  );

  app.post(
    '/admin/reviews/:id/reject',
    {
      config: { access: access.staff('reviews:write') },
      schema: {
        tags: adminTags,
        security,
        summary: 'Refuse a pending review or take down a published one',
        description: 'The reason is required and kept. A published review leaves the list and the summary.',
        params: reviewParams,
        body: rejectBody,
        response: { 200: reviewSchema },
      },
    },
    async (request) =>
      fullView(
        await moveReview(requestCtx(request), deps, request.params.id, 'rejected', {
          reason: request.body.reason,
        }),
      ),
  );
}
