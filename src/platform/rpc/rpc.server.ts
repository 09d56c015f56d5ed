import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Ctx } from '../context.js';
import { isAppError } from '../errors/app-error.js';
import { KIND_STATUS } from '../errors/problem.js';
import type { HttpApp } from '../http/types.js';
import type { Logger } from '../logging/logger.js';
import { decode, encode } from './codec.js';
import { type RpcTable, rpcRoute, tableMethods, type WireCtx } from './rpc.types.js';
import { verifyServiceToken } from './service-token.js';

export interface RpcServerOptions<C> {
  service: string;
  table: RpcTable<C>;
  /** The in-process client the calls are answered by. */
  impl: C;
  secret: string;
}

/** The body of an RPC call and of its answer (values in the codec's tagged JSON). */
const callBody = z.object({ args: z.array(z.unknown()) });

/** The error envelope an RPC answers with: the caller rebuilds the same AppError from it. */
export interface RpcErrorBody {
  error: { kind: string; code: string; message: string; fields?: unknown; extra?: unknown };
}

const isWireCtx = (arg: unknown): arg is WireCtx =>
  typeof arg === 'object' && arg !== null && '$ctx' in arg && Object.keys(arg).length === 1;

/**
 * Mounts a service's client interface as internal routes (`POST /internal/<service>/<path>`), one
 * per row of its RPC table. Each accepts only a service token addressed to this service (a user's
 * token, or none, is 401); arguments and results go through the codec; an AppError answers with
 * its kind's status and an envelope the caller turns back into the same AppError.
 */
export function registerRpcRoutes<C>(app: HttpApp, options: RpcServerOptions<C>): void {
  for (const { member, spec } of tableMethods(options.table as object)) {
    const target = member
      .slice(0, -1)
      .reduce<Record<string, unknown>>(
        (obj, key) => obj[key] as Record<string, unknown>,
        options.impl as Record<string, unknown>,
      );
    const method = target[member.at(-1)!];
    if (typeof method !== 'function')
      throw new Error(`${options.service} client has no method ${member.join('.')} (its RPC table names it)`);
    app.post(
      rpcRoute(options.service, spec),
      {
        config: { access: { kind: 'service' } },
        schema: { hide: true, body: callBody },
        onRequest: async (request) => {
          const header = request.headers.authorization;
          const token = header && /^Bearer\s+(\S+)$/i.exec(header)?.[1];
          const caller = await verifyServiceToken(token ?? '', {
            secret: options.secret,
            callee: options.service,
          });
          request.log = request.log.child({ caller });
        },
      },
      async (request: FastifyRequest, reply: FastifyReply) => {
        const { args } = request.body as z.infer<typeof callBody>;
        const decoded = args.map((arg) => (isWireCtx(arg) ? toCtx(arg, request) : decode(arg)));
        try {
          const result = await (method as (...a: unknown[]) => Promise<unknown>).apply(target, decoded);
          return reply.send({ result: encode(result) });
        } catch (err) {
          if (!isAppError(err)) throw err;
          const body: RpcErrorBody = {
            error: {
              kind: err.kind,
              code: err.code,
              message: err.message,
              ...(err.fields ? { fields: err.fields } : {}),
              ...(err.extra ? { extra: encode(err.extra) } : {}),
            },
          };
          return reply.status(KIND_STATUS[err.kind]).send(body);
        }
      },
    );
  }
}

function toCtx(arg: WireCtx, request: FastifyRequest): Ctx {
  return {
    actor: decode(arg.$ctx.actor) as Ctx['actor'],
    requestId: arg.$ctx.requestId,
    logger: request.log as Logger,
  };
}
