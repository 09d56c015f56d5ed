import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../../platform/security/password.js';
import { STAFF_STATUSES, STAFF_TYPES } from '../domain/staff-user.js';

const email = z.string().trim().toLowerCase().pipe(z.email().max(254));
// Printable names: no control characters reach storage or logs.
const name = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
const roleName = z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, 'must be a role name like catalog_manager');
const password = z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH);

export const staffUserSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  type: z.enum(STAFF_TYPES),
  status: z.enum(STAFF_STATUSES),
  roles: z.array(z.string()),
  permissions: z.array(z.string()),
  permissionsVersion: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const createUserBody = z.object({
  email,
  name,
  type: z.enum(STAFF_TYPES),
  password,
  roles: z.array(roleName).max(50).optional().describe('defaults to the role named like the type'),
});

export const listUsersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(200).optional(),
  status: z.enum(STAFF_STATUSES).optional(),
});

export const userPage = z.object({ items: z.array(staffUserSchema), nextCursor: z.string().nullable() });

export const userIdParams = z.object({ id: z.uuid() });

export const patchUserBody = z
  .object({ name: name.optional(), status: z.enum(['active', 'suspended']).optional() })
  .refine((b) => b.name !== undefined || b.status !== undefined, 'name or status is required');

export const setRolesBody = z.object({ roles: z.array(roleName).max(50) });

export const roleList = z.object({
  items: z.array(z.object({ name: z.string(), description: z.string(), permissions: z.array(z.string()) })),
});

export const resetPasswordBody = z.object({ password });
