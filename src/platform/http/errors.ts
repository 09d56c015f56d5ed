import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type FieldError, isAppError, validationFailed } from '../errors/app-error.js';
import { type Problem, problem, toProblem } from '../errors/problem.js';
import { newRequestId } from '../ids.js';
import type { Metrics } from '../observability/metrics.js';
import { securityHeaders } from './security-headers.js';

const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

function fieldPath(instancePath: string, params: Record<string, unknown> | undefined, part: string): string {
  const path = instancePath.replace(/^\//, '').replaceAll('/', '.');
  const missing = typeof params?.missingProperty === 'string' ? params.missingProperty : '';
  return [part, path, missing].filter(Boolean).join('.');
}

/** One error handler for every route: problem+json with a stable code, never a stack trace. */
export function errorHandler(metrics: Metrics) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let body: Problem;
    if (hasZodFastifySchemaValidationErrors(err)) {
      const fields: FieldError[] = err.validation.map((v) => ({
        path: fieldPath(v.instancePath, v.params as Record<string, unknown>, err.validationContext ?? ''),
        message: v.message ?? 'invalid',
      }));
      body = toProblem(validationFailed('The request is not valid; see errors for each field.', fields));
    } else {
      if (isResponseSerializationError(err))
        request.log.error({ err, issues: err.cause.issues }, 'response does not match its schema');
      body = toProblem(err);
    }
    if (body.status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: body.code, status: body.status }, 'request refused');
    metrics.httpErrors.inc({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: body.status,
      code: body.code,
    });
    const retryAfter = body.retryAfter;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(Math.ceil(retryAfter)));
    return reply
      .status(body.status)
      .type(PROBLEM_JSON)
      .send({ ...body, instance: request.url, requestId: request.id });
  };
}

/**
 * Router errors (a path parameter that is not valid percent-encoded UTF-8 → 400, one longer than
 * maxParamLength → 414) are answered before any hook runs: same problem+json as any error, with
 * the security headers and request id the hooks would have set.
 */
export function frameworkErrorHandler(metrics: Metrics) {
  const handle = errorHandler(metrics);
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    reply.headers(securityHeaders()).header('x-request-id', request.id);
    return handle(err, request, reply);
  };
}

/**
 * Errors Node's HTTP parser raises before there is a request (headers over maxHeaderSize → 431, a
 * malformed request line or header → 400, a request too slow to arrive → 408): written to the
 * socket as problem+json with the security headers and a fresh request id, then the connection is
 * closed (the parser cannot read on after such an error).
 */
export function clientErrorHandler(metrics: Metrics, log: FastifyBaseLogger) {
  return (err: NodeJS.ErrnoException, socket: Duplex): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const requestId = newRequestId();
    const body = toProblem(Object.assign(new Error(CLIENT_ERROR_DETAIL[status]), { statusCode: status }));
    const payload = JSON.stringify({ ...body, requestId });
    log.info({ code: body.code, status, requestId, parserError: err.code }, 'request refused');
    metrics.httpErrors.inc({ method: 'unknown', route: 'unmatched', status, code: body.code });
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const headers: Record<string, string> = {
      ...securityHeaders(),
      'x-request-id': requestId,
      'content-type': PROBLEM_JSON,
      'content-length': String(Buffer.byteLength(payload)),
      connection: 'close',
    };
    const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head.join('\r\n')}\r\n\r\n${payload}`);
  };
}

const CLIENT_ERROR_DETAIL: Record<number, string> = {
  400: 'The request is not valid HTTP',
  408: 'The request did not arrive in time',
  431: 'The request headers are larger than the server accepts',
};

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  return reply
    .status(404)
    .type(PROBLEM_JSON)
    .send({
      ...problem(404, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`),
      instance: request.url,
      requestId: request.id,
    });
}

/** Field paths that already name a part of the request. */
const REQUEST_PART = /^(body|params|querystring|headers)(\.|$)/;

/**
 * Domain rules name fields relative to their input (`sku`); on the wire every field error is
 * relative to the request (`body.sku`), like the schema validator's, so clients see one scheme.
 * Runs `run` and rewrites the field paths of a validation error it throws.
 */
export async function withBodyFieldPaths<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isAppError(err) && err.kind === 'validation' && err.fields) {
      const fields = err.fields.map((f) => ({
        path: !f.path ? 'body' : REQUEST_PART.test(f.path) ? f.path : `body.${f.path}`,
        message: f.message,
      }));
      throw new AppError(err.kind, err.code, err.message, { fields, cause: err });
    }
    throw err;
  }
}
