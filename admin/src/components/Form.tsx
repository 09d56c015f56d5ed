import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { fieldErrors } from '../api/problem';

export type Errors = Record<string, string>;

/**
 * A form's state: values, checks before sending (`validate` returns messages by field; none = send),
 * the API call, then the API's problem+json mapped back onto the same field names.
 */
export function useApiForm<V extends Record<string, unknown>, R = unknown>(options: {
  initial: V;
  validate: (values: V) => Record<string, string | undefined>;
  submit: (values: V) => Promise<R>;
  /** Queries to refetch after a success. */
  invalidates?: string[][];
  onSuccess?: (result: R, values: V) => void;
}) {
  const client = useQueryClient();
  const [values, setValues] = useState(options.initial);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string>();
  const mutation = useMutation({
    mutationFn: options.submit,
    onSuccess: async (result, submitted) => {
      for (const key of options.invalidates ?? []) await client.invalidateQueries({ queryKey: key });
      options.onSuccess?.(result, submitted);
    },
    onError: (error) => {
      const mapped = fieldErrors(error, Object.keys(options.initial));
      setErrors(mapped.fields);
      setFormError(mapped.form);
    },
  });
  return {
    values,
    errors,
    formError,
    pending: mutation.isPending,
    result: mutation.data,
    set: <K extends keyof V>(key: K, value: V[K]) => setValues((v) => ({ ...v, [key]: value })),
    reset: () => setValues(options.initial),
    onSubmit: (event: FormEvent) => {
      event.preventDefault();
      const found = errorsOf(options.validate(values));
      setErrors(found);
      setFormError(undefined);
      if (Object.keys(found).length === 0) mutation.mutate(values);
    },
  };
}

export function Field({
  label,
  name,
  error,
  children,
}: {
  label: string;
  name: string;
  error?: string | undefined;
  children: ReactNode;
}) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child this label wraps
    <label className="field" data-field={name}>
      <span>{label}</span>
      {children}
      {error ? (
        <small className="field-error" role="alert">
          {error}
        </small>
      ) : null}
    </label>
  );
}

export function FormError({ message }: { message: string | undefined }) {
  return message ? (
    <div className="error" role="alert">
      {message}
    </div>
  ) : null;
}

/** Common checks, each returning a message or nothing. */
export const check = {
  required: (v: unknown, what = 'This field') =>
    v === undefined || v === null || String(v).trim() === '' ? `${what} is required` : undefined,
  integer: (v: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
    !/^-?\d+$/.test(v.trim()) || Number(v) < min || Number(v) > max
      ? `Enter a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`
      : undefined,
  minorUnits: (v: string) =>
    /^\d+$/.test(v.trim()) ? undefined : 'Enter an amount in minor units, e.g. 2500',
};

/** Keeps only the messages that are set. */
export function errorsOf(entries: Record<string, string | undefined>): Errors {
  return Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A button running one action (no form fields), showing the API's refusal beside it. */
export function ActionButton({
  label,
  run,
  invalidates,
  confirm,
}: {
  label: string;
  run: () => Promise<unknown>;
  invalidates?: string[][];
  confirm?: string;
}) {
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: run,
    onSuccess: async () => {
      for (const key of invalidates ?? []) await client.invalidateQueries({ queryKey: key });
    },
  });
  return (
    <span className="action">
      <button
        type="button"
        disabled={mutation.isPending}
        onClick={() => {
          if (!confirm || window.confirm(confirm)) mutation.mutate();
        }}
      >
        {label}
      </button>
      {mutation.isError ? (
        <small className="field-error">{fieldErrors(mutation.error, []).form}</small>
      ) : null}
    </span>
  );
}

/** A "Status" filter of a list: any, or one of `statuses`. */
export function StatusFilter({
  name,
  value,
  statuses,
  onChange,
}: {
  name: string;
  value: string;
  statuses: readonly string[];
  onChange: (status: string) => void;
}) {
  return (
    <Field label="Status" name={name}>
      <select name={name} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">any</option>
        {statuses.map((s) => (
          <option key={s}>{s}</option>
        ))}
      </select>
    </Field>
  );
}
