/**
 * Errors are data: one AppError with a kind (what the caller can do about it), a stable code
 * (what API clients switch on) and a human detail. The domain never throws HTTP errors; the HTTP
 * layer maps kinds to status codes in one place (problem.ts).
 */
export type ErrorKind =
  | 'validation' // 400
  | 'unauthenticated' // 401
  | 'payment_required' // 402
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409
  | 'gone' // 410
  | 'payload_too_large' // 413
  | 'unprocessable' // 422
  | 'locked' // 423
  | 'rate_limited' // 429
  | 'unavailable' // 503
  | 'internal'; // 500

export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly fields: FieldError[] | undefined;
  /** Extra members for the problem document (e.g. retryAfter seconds). */
  readonly extra: Record<string, unknown> | undefined;

  constructor(
    kind: ErrorKind,
    code: string,
    detail: string,
    options: { fields?: FieldError[]; extra?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.kind = kind;
    this.code = code;
    this.fields = options.fields;
    this.extra = options.extra;
  }
}

export const notFound = (what: string, id?: string): AppError =>
  new AppError('not_found', 'not_found', id ? `${what} ${id} was not found` : `${what} was not found`);

export const validationFailed = (detail: string, fields?: FieldError[]): AppError =>
  new AppError('validation', 'validation_failed', detail, fields ? { fields } : {});

export const conflict = (detail: string, code = 'conflict'): AppError =>
  new AppError('conflict', code, detail);

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;
