import { describe, expect, it } from 'vitest';
import { ApiError, fieldErrors, problemFrom } from './problem';

const validation = new ApiError({
  status: 400,
  code: 'validation_failed',
  detail: 'The request is not valid; see errors for each field.',
  errors: [
    { path: 'body.reason', message: 'Too small' },
    { path: 'body.packages.0.weightGrams', message: 'Too small: expected number to be >=1' },
    { path: 'body', message: 'give exactly one of warehouseId and warehouseCode' },
  ],
});

describe('problem+json field mapping', () => {
  it('puts each error on the form field it names, without the body. prefix', () => {
    expect(fieldErrors(validation).fields).toEqual({
      reason: 'Too small',
      'packages.0.weightGrams': 'Too small: expected number to be >=1',
    });
  });

  it('keeps errors about fields the form does not show as the form message', () => {
    const mapped = fieldErrors(validation, ['reason']);
    expect(mapped.fields).toEqual({ reason: 'Too small' });
    expect(mapped.form).toBe(
      'packages.0.weightGrams: Too small: expected number to be >=1; give exactly one of warehouseId and warehouseCode',
    );
  });

  it('shows the detail of a problem without field errors', () => {
    const conflict = new ApiError({
      status: 409,
      code: 'invalid_transition',
      detail: 'Cannot pick a packed fulfillment',
    });
    expect(fieldErrors(conflict, ['reason'])).toEqual({
      fields: {},
      form: 'Cannot pick a packed fulfillment',
    });
  });

  it('reads a non-JSON error body as a problem with an http_ code', async () => {
    const problem = await problemFrom(new Response('upstream gone', { status: 502 }));
    expect(problem).toEqual({ status: 502, code: 'http_502', detail: 'upstream gone' });
  });
});
