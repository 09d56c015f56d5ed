import type { TemplateName as DirectTemplate } from '../contract/client.js';

/**
 * Every message notification sends. `account` and `order` messages are transactional (always sent,
 * whatever the preferences say); `marketing` ones need the customer's marketing consent and the
 * matching preference; `operator` ones go to the configured operator list.
 */
export const MESSAGE_CATEGORIES = {
  email_verification: 'account',
  password_reset: 'account',
  password_changed: 'account',
  welcome: 'account',
  order_confirmed: 'order',
  order_shipped: 'order',
  order_delivered: 'order',
  order_cancelled: 'order',
  refund_completed: 'order',
  return_requested: 'order',
  return_approved: 'order',
  return_rejected: 'order',
  return_received: 'order',
  review_invitation: 'marketing',
  points_changed: 'marketing',
  ops_stock_low: 'operator',
  ops_stock_reconciled: 'operator',
  ops_sla_breach: 'operator',
  ops_shipment_manual: 'operator',
  ops_compensation_failed: 'operator',
  ops_dead_letters: 'operator',
} as const satisfies Record<string, 'account' | 'order' | 'marketing' | 'operator'>;

export type MessageTemplate = keyof typeof MESSAGE_CATEGORIES;
export type MessageCategory = (typeof MESSAGE_CATEGORIES)[MessageTemplate];
export const MESSAGE_TEMPLATES = Object.keys(MESSAGE_CATEGORIES) as MessageTemplate[];

/** Channels a message can go out on; email is the only one so far. */
export const CHANNELS = ['email'] as const;
export type Channel = (typeof CHANNELS)[number];

export type { DirectTemplate };

/** What the consent decision looks at (the customer service owns the preferences, CS-P1-03). */
export interface MessagingChoices {
  marketingConsent: boolean;
  marketingEmail: boolean;
  productReviewRequests: boolean;
}

/**
 * Whether a message of `template` may go to a person with these choices: transactional always;
 * marketing only with consent and the preference that covers it (review requests have their own).
 */
export function allowed(template: MessageTemplate, choices: MessagingChoices | undefined): boolean {
  const category: MessageCategory = MESSAGE_CATEGORIES[template];
  if (category !== 'marketing') return true;
  if (!choices?.marketingConsent) return false;
  return template === 'review_invitation' ? choices.productReviewRequests : choices.marketingEmail;
}
