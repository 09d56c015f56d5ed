import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Access } from '../security/access.js';
import type { Principal } from '../security/principal.js';

export type RateLimitPolicy = 'standard' | 'credentials';

/** The Fastify instance every service registers its routes on (zod type provider). */
export type HttpApp = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the gateway when a valid access token was presented. */
    principal?: Principal;
  }
  interface FastifyContextConfig {
    access?: Access;
    /**
     * Rate-limit class of the route, declared beside `access` (docs/security.md "Rate limits"):
     * `credentials` for anonymous endpoints that check or mail credentials (login, registration,
     * password-reset request) gets the stricter RATE_LIMIT_CREDENTIALS_* budget per client IP.
     * Every other route has the standard per-principal budget.
     */
    rateLimitPolicy?: RateLimitPolicy;
  }
}
