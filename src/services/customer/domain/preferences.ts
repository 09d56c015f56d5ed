import { z } from 'zod';

/**
 * Notification preferences and consents (CS-P1-03). Stored as append-only versions; the current
 * view is the newest. Transactional messages (verification, reset, order updates by email) are
 * always sent whatever these say.
 */
export const preferencesSchema = z.object({
  marketingEmail: z.boolean(),
  marketingSms: z.boolean(),
  productReviewRequests: z.boolean(),
  language: z
    .string()
    .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a language tag such as en or en-GB')
    .nullable(),
});
export type Preferences = z.infer<typeof preferencesSchema>;

export const consentsSchema = z.object({
  /** Marketing communication (GDPR art. 6(1)(a)). */
  marketing: z.boolean(),
  /** Analytics beyond what the service needs to run. */
  analytics: z.boolean(),
  /** Personalized recommendations. */
  personalization: z.boolean(),
});
export type Consents = z.infer<typeof consentsSchema>;

/** What a new account starts with: everything optional is off until the customer opts in. */
export const DEFAULT_PREFERENCES: Preferences = {
  marketingEmail: false,
  marketingSms: false,
  productReviewRequests: false,
  language: null,
};
export const DEFAULT_CONSENTS: Consents = { marketing: false, analytics: false, personalization: false };
