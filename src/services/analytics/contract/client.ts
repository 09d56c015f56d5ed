/** The analytics service as other services and operators see it. */
export interface AnalyticsClient {
  /** Stored events per topic whose time falls in [from, to) (reconciliation, operations). */
  eventCounts(from: Date, to: Date): Promise<{ topic: string; events: number }[]>;
}
