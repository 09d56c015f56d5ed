import type { EventHistory } from '../../../contracts/index.js';
import type { Ctx } from '../../../platform/context.js';

/** A review brought in from outside the storefront (the demo store, a migration): no purchase check. */
export interface ImportedReview {
  productId: string;
  authorName: string;
  rating: number;
  title: string;
  body: string;
}

/** What other parts of Orderline call on the review service (in-process or over HTTP). */
export interface ReviewClient extends EventHistory {
  /** Screened like any review: published, or pending for a moderator. */
  importReview(ctx: Ctx, review: ImportedReview): Promise<{ id: string; status: 'pending' | 'published' }>;
}
