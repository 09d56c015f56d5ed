// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/problem';
import { check, errorsOf, Field, FormError, useApiForm } from './Form';

function ReasonForm({ submit }: { submit: (v: { reason: string }) => Promise<unknown> }) {
  const form = useApiForm({
    initial: { reason: '' },
    validate: (v) => errorsOf({ reason: check.required(v.reason, 'A reason') }),
    submit,
  });
  return (
    <form onSubmit={form.onSubmit}>
      <Field label="Reason" name="reason" error={form.errors.reason}>
        <input
          aria-label="reason"
          value={form.values.reason}
          onChange={(e) => form.set('reason', e.target.value)}
        />
      </Field>
      <FormError message={form.formError} />
      <button type="submit">Send</button>
    </form>
  );
}

const renderForm = (submit: (v: { reason: string }) => Promise<unknown>) =>
  render(
    <QueryClientProvider client={new QueryClient()}>
      <ReasonForm submit={submit} />
    </QueryClientProvider>,
  );

afterEach(cleanup);

describe('forms', () => {
  it('validates before sending: nothing is sent while a field is wrong', async () => {
    const sent: unknown[] = [];
    renderForm(async (v) => sent.push(v));
    fireEvent.click(screen.getByText('Send'));
    expect(await screen.findByText('A reason is required')).toBeTruthy();
    expect(sent).toEqual([]);
  });

  it("shows the API's problem+json errors on the fields they name", async () => {
    renderForm(async () => {
      throw new ApiError({
        status: 400,
        code: 'validation_failed',
        errors: [
          { path: 'body.reason', message: 'Must not contain control characters' },
          { path: 'body.extra', message: 'Unrecognized key' },
        ],
      });
    });
    fireEvent.change(screen.getByLabelText('reason'), { target: { value: 'x' } });
    fireEvent.click(screen.getByText('Send'));
    await waitFor(() => expect(screen.getByText('Must not contain control characters')).toBeTruthy());
    expect(screen.getByText('extra: Unrecognized key')).toBeTruthy();
  });
});
