import type { Ctx } from '../../../platform/context.js';
import type { SendRequest } from '../../notification/contract/client.js';
import type { CustomerDeps } from './deps.js';

/** Link to the storefront page that redeems a token (the token is also in the text). */
export const tokenLink = (
  deps: CustomerDeps,
  page: 'verify-email' | 'reset-password',
  token: string,
): string => `${deps.settings.storefrontUrl.replace(/\/+$/, '')}/${page}?token=${encodeURIComponent(token)}`;

/**
 * Sends after the account change committed (C8: never an email for a change that rolled back).
 * A failure is logged as an error and the request still succeeds: the customer can ask for the
 * email again (resend / new reset request), and the notification service retries what it stored.
 */
export async function sendAfterCommit(ctx: Ctx, deps: CustomerDeps, request: SendRequest): Promise<void> {
  try {
    await deps.mail.send(ctx, request);
  } catch (err) {
    ctx.logger.error(
      { err, template: request.template, customerId: request.customerId },
      'account email could not be handed to the notification service',
    );
  }
}
