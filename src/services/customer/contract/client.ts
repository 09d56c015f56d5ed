import type { EventHistory } from '../../../contracts/index.js';
import type { Ctx } from '../../../platform/context.js';
import type { PrincipalDirectory } from '../../auth/contract/directory.js';

/** How another service may reach a customer (notification): no more than that. */
export interface CustomerContact {
  id: string;
  email: string;
  firstName: string;
  status: 'pending_verification' | 'active' | 'suspended' | 'deleted';
  language: string | null;
  /** What the customer agreed to receive (preferences and consents, CS-P1-03): notification's consent check. */
  messaging: { marketingConsent: boolean; marketingEmail: boolean; productReviewRequests: boolean };
}

/** The customer service as other services see it. */
export interface CustomerClient extends EventHistory {
  /** Validates customer credentials and loads customer principals for auth (type `customer`). */
  directory: PrincipalDirectory;
  /** Contacts of existing, not erased customers among `ids` (unknown and erased ids are left out). */
  contacts(ids: readonly string[]): Promise<CustomerContact[]>;
  /**
   * Ids of the active segments the customer belongs to (promotion conditions); empty for an
   * unknown customer or id.
   */
  segmentIdsOf(ctx: Ctx, customerId: string): Promise<string[]>;
}
