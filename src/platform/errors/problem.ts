import { AppError, type ErrorKind, type FieldError } from './app-error.js';

/** RFC 9457 problem document as Orderline sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

export const KIND_STATUS: Record<ErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unprocessable: 422,
  locked: 423,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  423: 'Locked',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Codes for 4xx errors raised by the HTTP framework itself rather than by our code. */
const FRAMEWORK_CODES: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'header_fields_too_large',
};

export const PROBLEM_TYPE_BASE = 'https://orderline.dev/problems/';

export function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
  };
}

/**
 * Maps anything thrown to a problem document. AppErrors keep their code; framework errors with a
 * 4xx status keep their status; everything else is a 500 without internals (never a stack trace).
 */
export function toProblem(err: unknown): Problem {
  if (err instanceof AppError) {
    const extra: Partial<Problem> = { ...(err.extra ?? {}) };
    if (err.fields && err.fields.length > 0) extra.errors = err.fields;
    return problem(KIND_STATUS[err.kind], err.code, err.message, extra);
  }
  const status = (err as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = FRAMEWORK_CODES[status] ?? 'bad_request';
    return problem(status, code, (err as Error).message || TITLES[status] || 'Bad request');
  }
  return problem(
    500,
    'internal_error',
    'An unexpected error occurred; it has been logged with the request id.',
  );
}
