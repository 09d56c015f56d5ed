/** Security events written to the customer's audit log (spec: logins, failures, lockouts, password changes). */
export const AUDIT_EVENTS = [
  'registered',
  'email_verified',
  'login',
  'login_failed',
  'locked',
  'password_reset_requested',
  'password_reset',
  'password_changed',
  'status_changed',
  'roles_changed',
  'erasure_requested',
  'erasure_cancelled',
  'erased',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];
