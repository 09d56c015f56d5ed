import type { FastifyRequest } from 'fastify';
import { requestCtx } from '../../../platform/context.js';
import { validationFailed } from '../../../platform/errors/app-error.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import type { KeyRing } from '../app/key-ring.js';
import type { ClientInfo, SessionService } from '../app/session.service.js';
import { isValidDeviceId } from '../domain/device.js';
import { jwks, loginBody, refreshBody, sessionIdParams, sessionList, tokenPair } from './auth.schemas.js';

const tags = ['auth'];
const security = [{ bearer: [] }];

/** Who is calling, for the session record and device binding; a malformed X-Device-Id is a 400. */
function clientInfo(request: FastifyRequest): ClientInfo {
  const deviceId = request.headers['x-device-id'];
  if (deviceId !== undefined && (typeof deviceId !== 'string' || !isValidDeviceId(deviceId)))
    throw validationFailed('X-Device-Id must be 8-128 characters of letters, digits, ".", "_", ":" or "-"', [
      { path: 'headers.x-device-id', message: 'malformed device id' },
    ]);
  return { deviceId, userAgent: request.headers['user-agent'], ip: request.ip };
}

/** Public auth API, mounted under /api/v1 by the gateway. */
export function registerAuthRoutes(
  app: HttpApp,
  service: SessionService,
  keys: () => Promise<KeyRing>,
): void {
  app.post(
    '/auth/login',
    {
      config: { access: access.public(), rateLimitPolicy: 'credentials' },
      schema: {
        tags,
        summary:
          'Log in; 401 invalid_credentials (also for a type no directory serves), 423 account_locked, 403 account_disabled / email_not_verified',
        body: loginBody,
        response: { 200: tokenPair },
      },
    },
    async (request) => service.login(requestCtx(request), { ...request.body, ...clientInfo(request) }),
  );

  app.post(
    '/auth/refresh',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary:
          'Rotate a refresh token; reusing an old one ends the session (401 refresh_token_reused), so does a refresh from another device when AUTH_DEVICE_BINDING=block (401 device_mismatch)',
        body: refreshBody,
        response: { 200: tokenPair },
      },
    },
    async (request) => service.refresh(requestCtx(request), request.body.refreshToken, clientInfo(request)),
  );

  app.post(
    '/auth/logout',
    {
      config: { access: access.authenticated() },
      schema: { tags, security, summary: 'End the current session' },
    },
    async (request, reply) => {
      await service.logout(requestCtx(request));
      return reply.status(204).send();
    },
  );

  app.get(
    '/auth/sessions',
    {
      config: { access: access.authenticated() },
      schema: { tags, security, summary: 'Your live sessions', response: { 200: sessionList } },
    },
    async (request) => ({ items: await service.listOwn(requestCtx(request)) }),
  );

  app.delete(
    '/auth/sessions/:id',
    {
      config: { access: access.authenticated() },
      schema: { tags, security, summary: 'End one of your sessions', params: sessionIdParams },
    },
    async (request, reply) => {
      await service.revokeOwn(requestCtx(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/auth/.well-known/jwks.json',
    {
      config: { access: access.public() },
      schema: { tags, summary: 'Public keys that verify access tokens', response: { 200: jwks } },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return (await keys()).jwks();
    },
  );
}
