import type { Ctx } from '../../../platform/context.js';

/**
 * The customer segments a customer belongs to (segment conditions). Implemented by the customer
 * service's client and passed in the module deps; without it the promotion service refuses to
 * create a segment-bound promotion (400 `segments_unavailable`) rather than evaluate it blindly.
 */
export interface SegmentLookup {
  segmentIdsOf(ctx: Ctx, customerId: string): Promise<string[]>;
}
