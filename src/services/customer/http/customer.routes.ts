import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requestCtx } from '../../../platform/context.js';
import { AppError, validationFailed } from '../../../platform/errors/app-error.js';
import { encodeCursor } from '../../../platform/http/pagination.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import { addAddress, deleteAddress, listAddresses, updateAddress } from '../app/addresses.js';
import type { CustomerDeps } from '../app/deps.js';
import { confirmPasswordReset, requestPasswordReset } from '../app/password-reset.js';
import { getPreferences, preferenceHistory, putPreferences } from '../app/preferences.js';
import { getProfile, requestErasure, updateProfile } from '../app/profile.js';
import { register, resendVerification, verifyEmail } from '../app/registration.js';
import {
  acceptedSchema,
  addressBody,
  addressListSchema,
  addressPatchBody,
  addressSchema,
  emailBody,
  erasureSchema,
  historyQuery,
  idParams,
  passwordResetSchema,
  preferenceHistorySchema,
  preferencePutBody,
  preferenceSchema,
  profilePatchBody,
  profileSchema,
  registerBody,
  registeredSchema,
  resetConfirmBody,
  tokenBody,
  verifiedSchema,
} from './customer.schemas.js';

const tags = ['customers'];
const security = [{ bearer: [] }];

/** The signed-in customer (the route's access rule already refused everyone else). */
function me(request: FastifyRequest): string {
  const p = request.principal;
  if (p?.type !== 'customer') throw new AppError('forbidden', 'forbidden', 'Customers only');
  return p.id;
}

/** `If-Match: 3`, `"3"` or `W/"3"` → 3; absent → undefined; anything else is 400. */
export function ifMatch(request: FastifyRequest): number | undefined {
  const raw = request.headers['if-match'];
  if (raw === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(raw);
  if (!m)
    throw validationFailed('If-Match must be the version you read', [
      { path: 'headers.if-match', message: 'must be a version such as "3"' },
    ]);
  return Number(m[1]);
}

/** Body `version` and If-Match must agree when both are sent. */
function expectedVersion(request: FastifyRequest, bodyVersion: number | undefined): number | undefined {
  const header = ifMatch(request);
  if (header !== undefined && bodyVersion !== undefined && header !== bodyVersion)
    throw validationFailed('version and If-Match disagree', [
      { path: 'body.version', message: 'differs from If-Match' },
    ]);
  return bodyVersion ?? header;
}

export function registerCustomerRoutes(app: HttpApp, deps: CustomerDeps): void {
  app.post(
    '/customers/register',
    {
      config: { access: access.public(), rateLimitPolicy: 'credentials' },
      schema: {
        tags,
        summary: 'Register a customer account',
        description:
          'Sends a verification email; login is refused with 403 email_not_verified until it is used. A taken email is 409 email_taken.',
        body: registerBody,
        response: { 201: registeredSchema },
      },
    },
    async (request, reply) => {
      const created = await register(requestCtx(request), deps, request.body);
      return reply.status(201).header('location', `${app.prefix}/customers/me`).send(created);
    },
  );

  app.post(
    '/customers/verify-email',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Verify the email address with the token from the verification email',
        description: 'Single use; an unknown, expired or used token is 400 invalid_token.',
        body: tokenBody,
        response: { 200: verifiedSchema },
      },
    },
    async (request) => verifyEmail(requestCtx(request), deps, request.body.token),
  );

  app.post(
    '/customers/verify-email/resend',
    {
      config: { access: access.public(), rateLimitPolicy: 'credentials' },
      schema: {
        tags,
        summary: 'Send the verification email again',
        description: '202 whether or not a pending account has this email (no enumeration).',
        body: emailBody,
        response: { 202: acceptedSchema },
      },
    },
    async (request, reply) => {
      await resendVerification(requestCtx(request), deps, request.body.email);
      return reply.status(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/customers/password-reset/request',
    {
      config: { access: access.public(), rateLimitPolicy: 'credentials' },
      schema: {
        tags,
        summary: 'Ask for a password reset email',
        description: '202 always, whether or not the email belongs to an account (no enumeration).',
        body: emailBody,
        response: { 202: acceptedSchema },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(requestCtx(request), deps, request.body.email);
      return reply.status(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/customers/password-reset/confirm',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Set a new password with the token from the reset email',
        description: 'Single use; ends every session of the account (C7). Bad token: 400 invalid_token.',
        body: resetConfirmBody,
        response: { 200: passwordResetSchema },
      },
    },
    async (request) => {
      await confirmPasswordReset(requestCtx(request), deps, request.body);
      return { status: 'password_changed' as const };
    },
  );

  app.get(
    '/customers/me',
    {
      config: { access: access.customer() },
      schema: {
        tags,
        security,
        summary: "The signed-in customer's profile",
        response: { 200: profileSchema },
      },
    },
    async (request) => getProfile(deps, me(request)),
  );

  app.patch(
    '/customers/me',
    {
      config: { access: access.customer() },
      schema: {
        tags,
        security,
        summary: 'Change the profile (optimistic locking)',
        description: 'Requires version (or If-Match); a stale version is 409 conflict and nothing changes.',
        body: profilePatchBody,
        response: { 200: profileSchema },
      },
    },
    async (request) => {
      const { version, ...patch } = request.body;
      return updateProfile(requestCtx(request), deps, me(request), patch, expectedVersion(request, version));
    },
  );

  app.delete(
    '/customers/me',
    {
      config: { access: access.customer() },
      schema: {
        tags,
        security,
        summary: 'Request erasure of the account (GDPR)',
        description:
          'Sessions end and login is refused at once; after the grace period the account is anonymized and customer.deleted is published.',
        response: { 202: erasureSchema },
      },
    },
    async (request, reply) => {
      const { eraseAfter } = await requestErasure(requestCtx(request), deps, me(request));
      return reply.status(202).send({ status: 'erasure_scheduled' as const, eraseAfter });
    },
  );

  app.get(
    '/customers/me/addresses',
    {
      config: { access: access.customer() },
      schema: { tags, security, summary: 'The address book', response: { 200: addressListSchema } },
    },
    async (request) => ({ items: await listAddresses(deps, me(request)), nextCursor: null }),
  );

  app.post(
    '/customers/me/addresses',
    {
      config: { access: access.customer() },
      schema: {
        tags,
        security,
        summary: 'Add an address',
        description:
          'ISO country, required lines, postal code format per country, E.164 phone; 400 with field errors.',
        body: addressBody,
        response: { 201: addressSchema },
      },
    },
    async (request, reply) => {
      const address = await addAddress(requestCtx(request), deps, me(request), request.body);
      return reply
        .status(201)
        .header('location', `${app.prefix}/customers/me/addresses/${address.id}`)
        .send(address);
    },
  );

  app.patch(
    '/customers/me/addresses/:id',
    {
      config: { access: access.customer() },
      schema: {
        tags,
        security,
        summary: 'Change an address',
        description: "Another customer's address is 404. Optional version/If-Match: stale is 409.",
        params: idParams,
        body: addressPatchBody,
        response: { 200: addressSchema },
      },
    },
    async (request) => {
      const { version, ...patch } = request.body;
      return updateAddress(
        requestCtx(request),
        deps,
        me(request),
        request.params.id,
        patch,
        expectedVersion(request, version),
      );
    },
  );

  app.delete(
    '/customers/me/addresses/:id',
    {
      config: { access: access.customer() },
      schema: { tags, security, summary: 'Delete an address', params: idParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      await deleteAddress(requestCtx(request), deps, me(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/customers/me/preferences',
    {
      config: { access: access.customer() },
      schema: {
        tags,
        security,
        summary: 'Current preferences and consents',
        response: { 200: preferenceSchema },
      },
    },
    async (request) => getPreferences(deps, me(request)),
  );

  app.put(
    '/customers/me/preferences',
    {
      config: { access: access.customer() },
      schema: {
        tags,
        security,
        summary: 'Change preferences and consents (a new version is appended)',
        description:
          'With version, a stale version is 409 conflict. Every version is kept with who and when.',
        body: preferencePutBody,
        response: { 200: preferenceSchema },
      },
    },
    async (request) => {
      const { version, ...input } = request.body;
      return putPreferences(requestCtx(request), deps, me(request), input, expectedVersion(request, version));
    },
  );

  app.get(
    '/customers/me/preferences/history',
    {
      config: { access: access.customer() },
      schema: {
        tags,
        security,
        summary: 'Every version of the preferences and consents, newest first',
        querystring: historyQuery,
        response: { 200: preferenceHistorySchema },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const page = await preferenceHistory(deps, me(request), {
        limit,
        beforeVersion: cursor === undefined ? undefined : Number(cursor),
      });
      return {
        items: page.items,
        nextCursor: page.nextVersion === null ? null : encodeCursor(page.nextVersion),
      };
    },
  );
}
