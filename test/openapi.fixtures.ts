import { randomUUID } from 'node:crypto';
import fc from 'fast-check';

/**
 * Reads the platform's generated OpenAPI document for the bad-input property test
 * (bad-input.fuzz.test.ts): every operation, the fields of its inputs, and a valid-ish request
 * built from the schema so that a test can corrupt exactly one field (not a test file itself).
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  default?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
}

export type Part = 'body' | 'querystring' | 'params' | 'headers';

export interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  /** OpenAPI template, e.g. /api/v1/products/{id} */
  path: string;
  /** The operation declares a bearer requirement (non-public access rule). */
  secured: boolean;
  parameters: Parameter[];
  body: JsonSchema | undefined;
}

export interface Field {
  part: Part;
  /** JSON path inside the part (the parameter name for params, querystring and headers). */
  path: (string | number)[];
  kind: 'string' | 'integer';
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        security?: unknown[];
        parameters?: Parameter[];
        requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
      }
    >
  >;
}

/** Every operation of the document, in document order. */
export function operations(doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(methods))
      ops.push({
        method: method.toUpperCase(),
        path,
        secured: (op.security?.length ?? 0) > 0,
        parameters: op.parameters ?? [],
        body: op.requestBody?.content?.['application/json']?.schema,
      });
  return ops;
}

/** The first branch that is not `null` of a nullable or union schema. */
function concrete(schema: JsonSchema): JsonSchema {
  const branches = schema.anyOf ?? schema.oneOf;
  if (!branches) return schema;
  return concrete(branches.find((b) => b.type !== 'null') ?? branches[0]!);
}

const types = (schema: JsonSchema): string[] => {
  const all = [schema.anyOf, schema.oneOf].flatMap((b) => b ?? []);
  if (all.length > 0) return all.flatMap(types);
  return [schema.type ?? 'any'].flat();
};

const isObject = (s: JsonSchema) => s.properties !== undefined || types(s).includes('object');

function leafKinds(schema: JsonSchema): Field['kind'][] {
  const t = types(schema);
  const kinds: Field['kind'][] = [];
  // `any` (z.unknown) takes strings too: the platform rule covers every string.
  if (t.includes('string') || t.includes('any')) kinds.push('string');
  if (t.includes('integer')) kinds.push('integer');
  return kinds;
}

/** Every string and integer field of a body schema (arrays by their first element, records by one key). */
export function bodyFields(schema: JsonSchema, path: (string | number)[] = []): Field[] {
  const s = concrete(schema);
  if (s.properties || typeof s.additionalProperties === 'object') {
    const fields = Object.entries(s.properties ?? {}).flatMap(([key, child]) =>
      bodyFields(child, [...path, key]),
    );
    if (typeof s.additionalProperties === 'object')
      fields.push(...bodyFields(s.additionalProperties, [...path, 'fuzzKey']));
    return fields;
  }
  if (types(s).includes('array') && s.items) return bodyFields(s.items, [...path, 0]);
  return leafKinds(schema).map((kind) => ({ part: 'body' as const, path, kind }));
}

/** Every string and integer field of an operation: parameters first, then the body. */
export function fieldsOf(op: Operation): Field[] {
  const PART = { path: 'params', query: 'querystring', header: 'headers' } as const;
  const params = op.parameters.flatMap((p) =>
    leafKinds(p.schema).map((kind) => ({ part: PART[p.in], path: [p.name], kind })),
  );
  return [...params, ...(op.body ? bodyFields(op.body) : [])];
}

const NAMED: Record<string, string> = {
  currency: 'USD',
  baseCurrency: 'USD',
  country: 'US',
  password: 'a-long-enough-password',
  newPassword: 'a-long-enough-password',
  postalCode: '94105',
};

function sampleString(schema: JsonSchema, key: string | number | undefined): string {
  const fits = (v: string) =>
    v.length >= (schema.minLength ?? 0) &&
    v.length <= (schema.maxLength ?? Number.POSITIVE_INFINITY) &&
    (!schema.pattern || new RegExp(schema.pattern, 'u').test(v));
  const candidates: string[] = [];
  if (typeof key === 'string') {
    if (NAMED[key]) candidates.push(NAMED[key]);
    if (/email/i.test(key)) candidates.push(`fuzz-${randomUUID().slice(0, 8)}@test.orderline.local`);
  }
  if (schema.format === 'uuid') candidates.push(randomUUID());
  if (schema.format === 'date-time') candidates.push(new Date().toISOString());
  if (schema.format === 'date') candidates.push(new Date().toISOString().slice(0, 10));
  if (schema.pattern)
    candidates.push(
      ...fc.sample(fc.stringMatching(new RegExp(schema.pattern, 'u'), { size: 'xsmall' }), {
        numRuns: 5,
        seed: 1,
      }),
    );
  candidates.push('fuzz', 'x'.repeat(Math.max(1, schema.minLength ?? 1)));
  return candidates.find(fits) ?? candidates[0]!;
}

/** A plausible value for `schema`: objects with their required properties only. */
export function sample(schema: JsonSchema, key?: string | number): unknown {
  const s = concrete(schema);
  if (s.default !== undefined) return s.default;
  if (s.enum) return s.enum[0];
  if (isObject(s))
    return Object.fromEntries((s.required ?? []).map((k) => [k, sample(s.properties?.[k] ?? {}, k)]));
  const type = types(s).find((t) => t !== 'null') ?? 'any';
  if (type === 'array')
    return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sample(s.items ?? {}));
  if (type === 'integer' || type === 'number') {
    const low = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
    return Math.min(low, s.maximum ?? low);
  }
  if (type === 'boolean') return true;
  if (type === 'string') return sampleString(s, key);
  return 'fuzz';
}

/**
 * The body with every required field filled plausibly and `value` at `path` (creating the
 * objects and arrays on the way): one field corrupted, the rest as a client would send it.
 */
export function bodyWith(schema: JsonSchema, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const s = concrete(schema);
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const items = sample(s) as unknown[];
    items[head] = bodyWith(s.items ?? {}, rest, value);
    return items;
  }
  const object = sample(s) as Record<string, unknown>;
  const child =
    s.properties?.[head!] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : {});
  object[head!] = bodyWith(child, rest, value);
  return object;
}
