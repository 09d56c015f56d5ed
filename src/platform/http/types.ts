import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Access } from '../security/access.js';
import type { Principal } from '../security/principal.js';

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
  }
}
