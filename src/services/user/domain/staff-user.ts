import { AppError } from '../../../platform/errors/app-error.js';

/** Staff accounts: the pure rules, free of storage and HTTP. */
export const STAFF_TYPES = ['admin', 'shipper'] as const;
export type StaffType = (typeof STAFF_TYPES)[number];

export const STAFF_STATUSES = ['active', 'suspended', 'deleted'] as const;
export type StaffStatus = (typeof STAFF_STATUSES)[number];

export const isStaffType = (value: string): value is StaffType =>
  (STAFF_TYPES as readonly string[]).includes(value);

/** Emails are compared and stored lower-cased and trimmed, so one person has one account. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/**
 * Status transitions as data (conventions §10). `deleted` is terminal: a soft-deleted account is
 * kept for audit and never comes back (U1).
 */
export const STATUS_TRANSITIONS: Readonly<Record<StaffStatus, readonly StaffStatus[]>> = {
  active: ['suspended', 'deleted'],
  suspended: ['active', 'deleted'],
  deleted: [],
};

export const canTransition = (from: StaffStatus, to: StaffStatus): boolean =>
  STATUS_TRANSITIONS[from].includes(to);

/** Throws `invalid_transition` (409) unless `from → to` is allowed; `from === to` is a no-op. */
export function assertTransition(from: StaffStatus, to: StaffStatus): void {
  if (from === to) return;
  if (!canTransition(from, to))
    throw new AppError('conflict', 'invalid_transition', `A ${from} account cannot become ${to}`);
}

/** A deleted account is read-only. */
export function assertMutable(status: StaffStatus): void {
  if (status === 'deleted')
    throw new AppError('conflict', 'invalid_transition', 'A deleted account cannot be changed');
}

/** Roles a new account gets when the request names none: the role of the same name as its type. */
export const defaultRolesFor = (type: StaffType): string[] => [type];
