import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from '../../../platform/security/password.js';
import { PRINCIPAL_TYPES } from '../../../platform/security/principal.js';

export const loginBody = z.object({
  email: z.string().trim().min(3).max(254),
  // Any length up to the cap: a too-short password is simply wrong, not a 400 that hints policy.
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  type: z.enum(PRINCIPAL_TYPES),
});

export const tokenPair = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number().int().describe('access token lifetime in seconds'),
  tokenType: z.literal('Bearer'),
});

export const refreshBody = z.object({ refreshToken: z.string().min(1).max(512) });

export const sessionSchema = z.object({
  id: z.uuid(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  expiresAt: z.string(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  current: z.boolean().describe('true for the session of the token making this request'),
});

export const sessionList = z.object({ items: z.array(sessionSchema) });

export const sessionIdParams = z.object({ id: z.string().min(1).max(64) });

export const jwks = z.object({
  keys: z.array(
    z.object({
      kty: z.string(),
      crv: z.string(),
      x: z.string(),
      y: z.string(),
      kid: z.string(),
      alg: z.string(),
      use: z.string(),
    }),
  ),
});
