/**
 * A review's life as a table (conventions §10). `pending`: held by screening for a moderator;
 * `published`: visible and counted in the rating summary; `rejected`: refused by a moderator
 * (a published review rejected is taken down); `withdrawn`: deleted by its author. Rejected and
 * withdrawn are final: a customer reviews a product once (RV-P1-02), even after a rejection.
 */
export const REVIEW_STATUSES = ['pending', 'published', 'rejected', 'withdrawn'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export const TRANSITIONS: Readonly<Record<ReviewStatus, readonly ReviewStatus[]>> = {
  pending: ['published', 'rejected', 'withdrawn'],
  published: ['rejected', 'withdrawn'],
  rejected: [],
  withdrawn: [],
};

export const canTransition = (from: ReviewStatus, to: ReviewStatus): boolean =>
  TRANSITIONS[from].includes(to);

/** Statuses a review may be in for `to` to apply (the conditional update's WHERE). */
export const sourcesOf = (to: ReviewStatus): ReviewStatus[] =>
  REVIEW_STATUSES.filter((from) => canTransition(from, to));

/** Whether the move changes what the storefront shows: +1 publishes, -1 removes, 0 neither. */
export const visibilityChange = (from: ReviewStatus, to: ReviewStatus): 1 | -1 | 0 =>
  from !== 'published' && to === 'published' ? 1 : from === 'published' && to !== 'published' ? -1 : 0;
