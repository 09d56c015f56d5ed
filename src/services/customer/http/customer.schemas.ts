import { z } from 'zod';
import { cursorQuery, pageLimitQuery, UUID_KEY } from '../../../platform/http/pagination.js';
import { positiveInt4 } from '../../../platform/validation/integers.js';
import { CUSTOMER_STATUSES } from '../domain/customer.js';
import { consentsSchema, preferencesSchema } from '../domain/preferences.js';
import { customerStatsSchema } from './segment.schemas.js';

/**
 * Request and response schemas of the customer routes (the OpenAPI document is generated from
 * them). Shapes and generous upper bounds here; the account rules themselves (email, names,
 * phone, password policy, addresses) live in domain/ and apply to every caller.
 */
const text = (max: number) => z.string().max(max);

export const registerBody = z.object({
  email: text(320).describe('Lower-cased and checked'),
  password: text(1024).describe('12-128 characters'),
  firstName: text(1000).describe('1-100 characters after trimming, no control characters'),
  lastName: text(1000).describe('1-100 characters after trimming, no control characters'),
  phone: text(64).nullish().describe('E.164, e.g. +14155550123'),
});
export const registeredSchema = z.object({ id: z.guid(), status: z.literal('pending_verification') });

export const tokenBody = z.object({ token: text(512) });
export const emailBody = z.object({ email: text(320) });
export const resetConfirmBody = z.object({ token: text(512), newPassword: text(1024) });
export const acceptedSchema = z.object({ status: z.literal('accepted') });

const statusEnum = z.enum(CUSTOMER_STATUSES);
export const profileSchema = z.object({
  id: z.guid(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  phone: z.string().nullable(),
  status: statusEnum,
  emailVerified: z.boolean(),
  roles: z.array(z.string()),
  version: z.number().int().describe('Send it back with PATCH (or as If-Match) for optimistic locking'),
  lastLoginAt: z.string().nullable(),
  erasureScheduledFor: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const adminCustomerSchema = profileSchema.extend({
  failedLogins: z.number().int(),
  lockedUntil: z.string().nullable(),
  permissionsVersion: z.number().int(),
  registrationSource: z.string(),
});
export const adminCustomerDetailSchema = adminCustomerSchema.extend({ stats: customerStatsSchema });

export const profilePatchBody = z.object({
  version: positiveInt4().optional(),
  firstName: text(1000).optional(),
  lastName: text(1000).optional(),
  phone: text(64).nullable().optional().describe('null clears it'),
});

export const erasureSchema = z.object({ status: z.literal('erasure_scheduled'), eraseAfter: z.string() });

const addressFields = {
  label: text(200).nullish(),
  firstName: text(1000),
  lastName: text(1000),
  line1: text(1000),
  line2: text(1000).nullish(),
  city: text(1000),
  region: text(1000).nullish(),
  postalCode: text(100),
  country: text(100).describe('ISO 3166-1 alpha-2'),
  phone: text(64).nullish(),
  isDefault: z.boolean().optional(),
};
export const addressBody = z.object(addressFields);
export const addressPatchBody = z.object({ ...addressFields, version: positiveInt4() }).partial();
export const addressSchema = z.object({
  id: z.guid(),
  label: z.string().nullable(),
  firstName: z.string(),
  lastName: z.string(),
  line1: z.string(),
  line2: z.string().nullable(),
  city: z.string(),
  region: z.string().nullable(),
  postalCode: z.string(),
  country: z.string(),
  phone: z.string().nullable(),
  isDefault: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const addressListSchema = z.object({
  items: z.array(addressSchema),
  nextCursor: z.string().nullable(),
});
export const idParams = z.object({ id: z.string().max(100) });

export const preferenceSchema = z.object({
  version: z.number().int(),
  preferences: preferencesSchema,
  consents: consentsSchema,
  changedBy: z.string(),
  changedAt: z.string(),
});
export const preferencePutBody = z.object({
  version: positiveInt4().optional().describe('Optimistic lock: the version you read'),
  preferences: preferencesSchema.partial().optional().describe('Changed keys; the rest stay as they are'),
  consents: consentsSchema.partial().optional(),
});
export const preferenceHistorySchema = z.object({
  items: z.array(preferenceSchema),
  nextCursor: z.string().nullable(),
});

const limit = pageLimitQuery;
const cursorOf = cursorQuery;

export const historyQuery = z.object({ limit, cursor: cursorOf(/^[1-9]\d{0,9}$/) });
export const adminListQuery = z.object({
  limit,
  cursor: cursorOf(UUID_KEY),
  status: statusEnum.optional(),
  email: text(320).optional().describe('Exact email (case-insensitive)'),
});
export const adminListSchema = z.object({
  items: z.array(adminCustomerSchema),
  nextCursor: z.string().nullable(),
});
export const statusBody = z.object({
  status: z.enum(['active', 'suspended']),
  // Stored in the audit log: printable text only (control characters, NUL included, refused).
  reason: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'),
});
export const rolesBody = z.object({
  roles: z.array(z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, 'must be a role name such as wholesale')).max(20),
});
export const auditSchema = z.object({
  items: z.array(
    z.object({
      id: z.guid(),
      event: z.string(),
      actor: z.string(),
      detail: z.record(z.string(), z.unknown()),
      occurredAt: z.string(),
    }),
  ),
});
export const verifiedSchema = z.object({ status: z.literal('active') });
export const passwordResetSchema = z.object({ status: z.literal('password_changed') });
