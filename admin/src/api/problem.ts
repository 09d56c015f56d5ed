/** An `application/problem+json` answer of the Orderline API (stable `code`, per-field `errors`). */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code: string;
  errors?: { path: string; message: string }[];
}

/** A failed API call: the problem the API answered, or one made up for a network failure. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? problem.code);
    this.name = 'ApiError';
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
}

/** Field errors keyed by the form's own field path and the message for the form as a whole. */
export interface FieldErrors {
  fields: Record<string, string>;
  form: string | undefined;
}

/** Where the API validated the value: a `body.` or `query.` prefix is not part of the form's names. */
const LOCATION = /^(body|querystring|query|params|headers)(\.|$)/;

/**
 * Maps a problem to the fields of a form: `body.packages.0.weightGrams` → `packages.0.weightGrams`.
 * Errors about a path the form does not show (or about the whole body) become the form's message,
 * so nothing the API said is dropped.
 */
export function fieldErrors(error: unknown, knownFields?: readonly string[]): FieldErrors {
  if (!(error instanceof ApiError)) {
    return { fields: {}, form: error instanceof Error ? error.message : String(error) };
  }
  const fields: Record<string, string> = {};
  const unplaced: string[] = [];
  for (const { path, message } of error.problem.errors ?? []) {
    const field = path.replace(LOCATION, '');
    const known = field !== '' && (!knownFields || knownFields.includes(field));
    if (known && !fields[field]) fields[field] = message;
    else if (!known) unplaced.push(field ? `${field}: ${message}` : message);
  }
  const form =
    unplaced.length > 0
      ? unplaced.join('; ')
      : Object.keys(fields).length === 0
        ? (error.problem.detail ?? error.problem.title ?? error.problem.code)
        : undefined;
  return { fields, form };
}

/** Reads a response as a problem; a non-JSON error body still yields a usable problem. */
export async function problemFrom(res: Response): Promise<Problem> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    return { ...body, status: body.status ?? res.status, code: body.code ?? `http_${res.status}` };
  } catch {
    return { status: res.status, code: `http_${res.status}`, detail: text.slice(0, 300) || res.statusText };
  }
}
