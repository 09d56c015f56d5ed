import type { Ctx } from '../../../platform/context.js';

/** The message types notification can send (templates in domain/templates.ts). */
export const TEMPLATES = ['email_verification', 'password_reset', 'password_changed', 'welcome'] as const;
export type TemplateName = (typeof TEMPLATES)[number];

/** What each template needs; links carry one-time tokens and are never put into events. */
export interface TemplateData {
  email_verification: { firstName: string; link: string; token: string; expiresInHours: number };
  password_reset: { firstName: string; link: string; token: string; expiresInMinutes: number };
  password_changed: { firstName: string };
  welcome: { firstName: string };
}

export type SendRequest = {
  [T in TemplateName]: {
    template: T;
    to: string;
    data: TemplateData[T];
    /**
     * One message per key, recipient and template: a retried call sends nothing new. Callers
     * use the id of what caused the message (e.g. the token row id).
     */
    idempotencyKey: string;
    /** Whose message this is, so erasure (customer.deleted) can remove it. */
    customerId?: string | undefined;
  };
}[TemplateName];

export interface SendResult {
  messageId: string;
  /** True when this key, recipient and template was already accepted earlier. */
  duplicate: boolean;
}

/** The notification service as other services see it. */
export interface NotificationClient {
  /**
   * Stores the message (in the notification schema) and delivers it in the background; failed
   * deliveries are retried by the `delivery-retry` job until NOTIFICATION_MAX_ATTEMPTS.
   */
  send(ctx: Ctx, request: SendRequest): Promise<SendResult>;
}
