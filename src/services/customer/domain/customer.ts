import { AppError, type FieldError, validationFailed } from '../../../platform/errors/app-error.js';
import { PASSWORD_MIN_LENGTH } from '../../../platform/security/password.js';
import { hasControlCharacters, isE164 } from '../../../platform/validation/address.js';

/** Customer accounts: the pure rules, free of storage and HTTP (CS-P0-03). */
export const CUSTOMER_STATUSES = ['pending_verification', 'active', 'suspended', 'deleted'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

export const NAME_MAX = 100;
export const EMAIL_MAX = 254;
/** Customers get a tighter bound than the platform's hashing limit: 128 characters is plenty for a passphrase. */
export const CUSTOMER_PASSWORD_MAX = 128;

/**
 * Status transitions as data (conventions §10). `deleted` is reached only through erasure and is
 * terminal; an admin may verify a pending account by hand (`pending_verification → active`).
 */
export const STATUS_TRANSITIONS: Readonly<Record<CustomerStatus, readonly CustomerStatus[]>> = {
  pending_verification: ['active', 'suspended', 'deleted'],
  active: ['suspended', 'deleted'],
  suspended: ['active', 'deleted'],
  deleted: [],
};

export const canTransition = (from: CustomerStatus, to: CustomerStatus): boolean =>
  STATUS_TRANSITIONS[from].includes(to);

export function assertTransition(from: CustomerStatus, to: CustomerStatus): void {
  if (!canTransition(from, to))
    throw new AppError('conflict', 'invalid_transition', `A ${from} account cannot become ${to}`);
}

/** Emails are compared and stored trimmed and lower-cased, so one person has one account. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

// Deliberately plain: one @, a dot in the domain, no spaces; the verification email is the real check.
const EMAIL_RE =
  /^[^\s@"(),:;<>[\]\\]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/**
 * True when a normalized email could belong to an account. Lookups check it first, so text no
 * account can have (control characters, NUL, oversize) never reaches a query (G8).
 */
export const isPlausibleEmail = (email: string): boolean =>
  email.length > 0 && email.length <= EMAIL_MAX && !hasControlCharacters(email) && EMAIL_RE.test(email);

/** A normalized email or a field error. */
export function checkEmail(raw: unknown, errors: FieldError[], path = 'email'): string {
  if (typeof raw !== 'string') {
    errors.push({ path, message: 'is required' });
    return '';
  }
  const email = normalizeEmail(raw);
  if (email.length === 0) errors.push({ path, message: 'is required' });
  else if (email.length > EMAIL_MAX)
    errors.push({ path, message: `must be at most ${EMAIL_MAX} characters` });
  else if (hasControlCharacters(email) || !EMAIL_RE.test(email))
    errors.push({ path, message: 'is not a valid email address' });
  return email;
}

/** A person's name: NFC, trimmed, 1..100 characters, no control characters. */
export function checkName(raw: unknown, path: string, errors: FieldError[]): string {
  const value = typeof raw === 'string' ? raw.normalize('NFC').trim() : '';
  if (value.length === 0) errors.push({ path, message: 'is required' });
  else if (hasControlCharacters(value)) errors.push({ path, message: 'must not contain control characters' });
  else if ([...value].length > NAME_MAX)
    errors.push({ path, message: `must be at most ${NAME_MAX} characters` });
  return value;
}

/** E.164 or null when absent/empty; spaces, dashes and brackets a person types are dropped first. */
export function checkPhone(raw: unknown, errors: FieldError[], path = 'phone'): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string') {
    errors.push({ path, message: 'must be a string' });
    return null;
  }
  const compact = raw.replace(/[\s().-]/g, '');
  if (compact === '') return null;
  if (!isE164(compact)) errors.push({ path, message: 'must be in E.164 format, e.g. +14155550123' });
  return compact;
}

/** Password policy: 12..128 characters (counted as code points), not the email itself. */
export function checkPassword(raw: unknown, errors: FieldError[], path = 'password', email?: string): string {
  if (typeof raw !== 'string' || raw.length === 0) {
    errors.push({ path, message: 'is required' });
    return '';
  }
  const length = [...raw].length;
  if (length < PASSWORD_MIN_LENGTH)
    errors.push({ path, message: `must be at least ${PASSWORD_MIN_LENGTH} characters` });
  else if (length > CUSTOMER_PASSWORD_MAX)
    errors.push({ path, message: `must be at most ${CUSTOMER_PASSWORD_MAX} characters` });
  else if (email && raw.trim().toLowerCase() === email)
    errors.push({ path, message: 'must not be your email address' });
  return raw;
}

export interface RegistrationInput {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  phone?: string | null | undefined;
}

export interface Registration {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  phone: string | null;
}

/** Validates and normalizes a registration (G8: nothing invalid is stored). */
export function validateRegistration(input: RegistrationInput): Registration {
  const errors: FieldError[] = [];
  const email = checkEmail(input.email, errors);
  const password = checkPassword(input.password, errors, 'password', email);
  const firstName = checkName(input.firstName, 'firstName', errors);
  const lastName = checkName(input.lastName, 'lastName', errors);
  const phone = checkPhone(input.phone, errors);
  if (errors.length > 0) throw validationFailed('The registration is not valid; see errors.', errors);
  return { email, password, firstName, lastName, phone };
}

export interface ProfilePatchInput {
  firstName?: string | undefined;
  lastName?: string | undefined;
  phone?: string | null | undefined;
}

export interface ProfileChanges {
  firstName?: string;
  lastName?: string;
  phone?: string | null;
}

export function validateProfilePatch(input: ProfilePatchInput): ProfileChanges {
  const errors: FieldError[] = [];
  const changes: ProfileChanges = {};
  if (input.firstName !== undefined) changes.firstName = checkName(input.firstName, 'firstName', errors);
  if (input.lastName !== undefined) changes.lastName = checkName(input.lastName, 'lastName', errors);
  if (input.phone !== undefined) changes.phone = checkPhone(input.phone, errors);
  if (errors.length > 0) throw validationFailed('The profile change is not valid; see errors.', errors);
  return changes;
}
