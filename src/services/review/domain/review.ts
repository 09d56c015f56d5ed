/** Limits of what a customer writes (characters); the routes and the database check the same. */
export const TITLE_MAX = 120;
export const BODY_MIN = 10;
export const BODY_MAX = 5000;
export const REASON_MAX = 500;
export const AUTHOR_MAX = 100;
/** How an author without a name (erased, or none known) is shown. */
export const ANONYMOUS_AUTHOR = 'a customer';

/** Order statuses that mean the customer received the order (reordering: each implies delivery). */
export const DELIVERED_STATUSES = new Set([
  'delivered',
  'completed',
  'return_requested',
  'partially_returned',
  'returned',
]);
