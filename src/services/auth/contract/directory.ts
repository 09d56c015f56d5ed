import type { PrincipalType } from '../../../platform/security/principal.js';

/**
 * A directory owns the credentials of one or more principal types (the user service for staff,
 * the customer service for customers). Auth asks it to check a login and to load the claims it
 * puts in tokens; lockout, verification and status rules live in the directory (seeds C2, C4).
 */
export interface DirectoryPrincipal {
  type: PrincipalType;
  id: string;
  roles: string[];
  permissions: string[];
  permissionsVersion: number;
}

export type CredentialCheck =
  | { ok: true; principal: DirectoryPrincipal }
  | {
      ok: false;
      /** invalid_credentials → 401, account_locked → 423, email_not_verified → 403, account_disabled → 403 */
      reason: 'invalid_credentials' | 'account_locked' | 'email_not_verified' | 'account_disabled';
      /** For account_locked: when the lock ends. */
      lockedUntil?: Date;
    };

export interface PrincipalDirectory {
  /** The principal types this directory answers for. */
  readonly types: readonly PrincipalType[];
  verifyCredentials(type: PrincipalType, email: string, password: string): Promise<CredentialCheck>;
  /** Current claims of an active principal, or undefined when it no longer exists or is not active. */
  loadPrincipal(type: PrincipalType, id: string): Promise<DirectoryPrincipal | undefined>;
  /**
   * The permissions version of an active principal (undefined when it no longer exists or is not
   * active): what every authenticated request compares with its token, so one row read, without
   * the roles and permissions `loadPrincipal` assembles.
   */
  activeVersion(type: PrincipalType, id: string): Promise<number | undefined>;
}
