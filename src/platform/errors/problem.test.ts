import { describe, expect, it } from 'vitest';
import { AppError, conflict, notFound, validationFailed } from './app-error.js';
import { toProblem } from './problem.js';

describe('toProblem', () => {
  it.each([
    [validationFailed('bad'), 400, 'validation_failed'],
    [new AppError('unauthenticated', 'invalid_credentials', 'no'), 401, 'invalid_credentials'],
    [new AppError('payment_required', 'payment_declined', 'declined'), 402, 'payment_declined'],
    [new AppError('forbidden', 'forbidden', 'no'), 403, 'forbidden'],
    [notFound('Product', 'p1'), 404, 'not_found'],
    [conflict('taken', 'sku_taken'), 409, 'sku_taken'],
    [new AppError('unprocessable', 'idempotency_key_reused', 'x'), 422, 'idempotency_key_reused'],
    [new AppError('locked', 'account_locked', 'x'), 423, 'account_locked'],
    [new AppError('rate_limited', 'rate_limited', 'x'), 429, 'rate_limited'],
    [new AppError('unavailable', 'circuit_open', 'x'), 503, 'circuit_open'],
  ])('maps %o to its status and stable code', (err, status, code) => {
    const p = toProblem(err);
    expect(p.status).toBe(status);
    expect(p.code).toBe(code);
    expect(p.type).toContain(code);
    expect(p.title).toBeTruthy();
  });

  it('carries field errors and extra members', () => {
    const p = toProblem(
      new AppError('validation', 'validation_failed', 'bad', {
        fields: [{ path: 'body.sku', message: 'required' }],
        extra: { retryAfter: 3 },
      }),
    );
    expect(p.errors).toEqual([{ path: 'body.sku', message: 'required' }]);
    expect(p.retryAfter).toBe(3);
  });

  it('keeps framework 4xx statuses', () => {
    const err = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    expect(toProblem(err)).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('never leaks internals of unexpected errors', () => {
    const p = toProblem(new Error('relation "secret_table" does not exist'));
    expect(p.status).toBe(500);
    expect(p.code).toBe('internal_error');
    expect(JSON.stringify(p)).not.toContain('secret_table');
  });
});
