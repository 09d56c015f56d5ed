import type { Ctx } from '../../../platform/context.js';
import type { SendRequest } from '../../notification/contract/client.js';

/** Sends account email through the notification service (verification and reset links). */
export interface AccountMail {
  send(ctx: Ctx, request: SendRequest): Promise<void>;
}

/** Ends sessions through the auth service (C7, suspension, erasure). */
export interface SessionRevoker {
  revokeAll(customerId: string, reason: string): Promise<number>;
  /** A reset password: auth revokes every session and publishes auth.password_changed, in one transaction. */
  passwordReset(ctx: Ctx, customerId: string): Promise<number>;
}
