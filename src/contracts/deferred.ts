/**
 * Reasons a consumer the topic map names is not registered (`deferredConsumers` of a contract).
 * One wording per reason, so `orderline contracts export` and the start-up check read alike.
 */
export const NOT_BUILT = {
  analytics: 'analytics does not ingest this topic yet (INGESTED_TOPICS in services/analytics)',
  loyalty: 'loyalty does not consume this topic',
  promotion: 'the promotion service is not built yet',
} as const;

/** Being built in issue 13; the contract lists the notification service once its consumer is registered. */
export const OPERATOR_NOTIFICATIONS = 'operator notifications (issue 13)';
export const CUSTOMER_NOTIFICATIONS = 'customer notifications (issue 13)';
export const STAFF_NOTIFICATIONS = 'staff account notices (issue 13)';
/** Spec 04 "customer": order statistics and segments from order, return and refund events (C14). */
export const CUSTOMER_STATISTICS = 'customer order statistics (C14) are not built yet';
