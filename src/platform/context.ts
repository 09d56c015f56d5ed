import type { FastifyRequest } from 'fastify';
import type { Logger } from './logging/logger.js';
import type { Principal } from './security/principal.js';

/** Who acts when no person does: bootstrap, demo seed, jobs, consumers. */
export interface SystemActor {
  type: 'system';
  id: string;
}

/** Context first (conventions §14): every app-layer function takes this as its first argument. */
export interface Ctx {
  actor: Principal | SystemActor | undefined;
  requestId: string;
  logger: Logger;
}

export const systemCtx = (logger: Logger, id = 'system', requestId = 'system'): Ctx => ({
  actor: { type: 'system', id },
  requestId,
  logger,
});

export const requestCtx = (request: FastifyRequest): Ctx => ({
  actor: request.principal,
  requestId: request.id,
  logger: request.log as Logger,
});

/** Stable id of the acting principal for audit columns. */
export const actorId = (ctx: Ctx): string => (ctx.actor ? `${ctx.actor.type}:${ctx.actor.id}` : 'anonymous');
