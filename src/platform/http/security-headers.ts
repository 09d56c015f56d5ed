import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import fastifyHelmet from '@fastify/helmet';
import helmet from 'helmet';
import type { HttpApp } from './types.js';

/** The one helmet configuration: for the hook on every routed request and for raw error answers. */
const HELMET_OPTIONS = {
  // The API serves JSON; the only HTML is the docs UI, which needs its inline assets.
  contentSecurityPolicy: false,
  crossOriginResourcePolicy: { policy: 'same-site' as const },
};

/** Security headers (HSTS, nosniff, frame options, no X-Powered-By …) on every routed response. */
export async function registerSecurityHeaders(app: HttpApp): Promise<void> {
  await app.register(fastifyHelmet, HELMET_OPTIONS);
}

let computed: Readonly<Record<string, string>> | undefined;

/**
 * The headers helmet sets with HELMET_OPTIONS, for answers written before any hook runs (router
 * and client errors, see errors.ts). Computed by running helmet itself on a detached response,
 * so they are the same as on every other response and cannot drift from the hook's.
 */
export function securityHeaders(): Readonly<Record<string, string>> {
  if (!computed) {
    const response = new ServerResponse(new IncomingMessage(new Socket()));
    helmet(HELMET_OPTIONS)(new IncomingMessage(new Socket()), response, (err?: unknown) => {
      if (err) throw err;
    });
    computed = Object.freeze(
      Object.fromEntries(Object.entries(response.getHeaders()).map(([name, value]) => [name, String(value)])),
    );
  }
  return computed;
}
