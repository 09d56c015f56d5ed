import { type FieldError, validationFailed } from '../../../platform/errors/app-error.js';
import type { NewProduct, Product } from '../contract/client.js';
import { isCategorySlug } from './category.js';
import { charLength, hasControlCharacters } from './text.js';

/**
 * The product rules, in one place, pure. Each function returns the normalized value or throws
 * `validation_failed` naming every offending field (paths relative to the input object), so
 * nothing invalid reaches the database whoever calls: HTTP, another service or the demo seed.
 * The database repeats the essential ones as CHECK constraints.
 */
export const SKU_MAX = 64;
export const NAME_MAX = 200;
export const DESCRIPTION_MAX = 5000;
export const ATTRIBUTES_MAX_KEYS = 50;
export const ATTRIBUTE_KEY_MAX = 64;
export const ATTRIBUTE_VALUE_MAX = 1000;
export const PRODUCT_STATUSES = ['active', 'archived'] as const;

export type ProductStatus = Product['status'];
export type Attributes = Record<string, string | number | boolean>;

/** Stored form (matches the table's CHECK): upper-case, starts with a letter or digit. */
export const SKU_RE = /^[A-Z0-9][A-Z0-9._-]{0,63}$/;
/** Accepted input before upper-casing: ASCII only, so `ß` → `SS`-style case mappings cannot sneak in. */
const SKU_INPUT_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface NormalizedNewProduct {
  sku: string;
  name: string;
  description: string | null;
  categorySlug: string | null;
  attributes: Attributes;
}

export interface ProductChanges {
  name?: string;
  description?: string | null;
  /** A slug, or null to take the product out of its category. */
  categorySlug?: string | null;
  attributes?: Attributes;
  status?: ProductStatus;
}

export interface NormalizedPatch {
  changes: ProductChanges;
  /** Optimistic lock: the version the caller last read, when given. */
  expectedVersion: number | undefined;
}

export interface ProductPatchInput {
  name?: string | undefined;
  description?: string | null | undefined;
  category?: string | null | undefined;
  attributes?: Attributes | undefined;
  status?: string | undefined;
  version?: number | undefined;
  /** Present only to be refused: a sku is immutable. */
  sku?: unknown;
}

/** Normalizes a sku (trim, upper-case) or returns undefined when it is not a valid sku. */
export function normalizeSku(raw: string): string | undefined {
  const trimmed = raw.trim();
  return SKU_INPUT_RE.test(trimmed) ? trimmed.toUpperCase() : undefined;
}

export function validateNewProduct(input: NewProduct): NormalizedNewProduct {
  const errors: FieldError[] = [];
  const sku = typeof input.sku === 'string' ? normalizeSku(input.sku) : undefined;
  if (sku === undefined)
    errors.push({
      path: 'sku',
      message: `must be 1-${SKU_MAX} letters, digits, '.', '_' or '-', starting with a letter or digit`,
    });
  const name = checkName(input.name, errors);
  const description = checkDescription(input.description, errors);
  const categorySlug = checkCategoryRef(input.category, errors);
  const attributes = checkAttributes(input.attributes ?? {}, errors);
  if (errors.length > 0)
    throw validationFailed('The product is not valid; see errors for each field.', errors);
  return {
    sku: sku!,
    name: name!,
    description: description ?? null,
    categorySlug: categorySlug ?? null,
    attributes,
  };
}

export function validateProductPatch(input: ProductPatchInput): NormalizedPatch {
  const errors: FieldError[] = [];
  const changes: ProductChanges = {};
  if (input.sku !== undefined)
    errors.push({ path: 'sku', message: 'is immutable; create a new product instead' });
  if (input.name !== undefined) {
    const name = checkName(input.name, errors);
    if (name !== undefined) changes.name = name;
  }
  if (input.description !== undefined)
    changes.description = checkDescription(input.description, errors) ?? null;
  if (input.category !== undefined) changes.categorySlug = checkCategoryRef(input.category, errors) ?? null;
  if (input.attributes !== undefined) changes.attributes = checkAttributes(input.attributes, errors);
  if (input.status !== undefined) {
    if ((PRODUCT_STATUSES as readonly string[]).includes(input.status))
      changes.status = input.status as ProductStatus;
    else errors.push({ path: 'status', message: `must be one of ${PRODUCT_STATUSES.join(', ')}` });
  }
  const version = input.version;
  if (version !== undefined && !(Number.isSafeInteger(version) && version >= 1))
    errors.push({ path: 'version', message: 'must be a positive integer' });
  if (errors.length === 0 && Object.keys(changes).length === 0)
    errors.push({
      path: '',
      message: 'nothing to change: give at least one of name, description, category, attributes, status',
    });
  if (errors.length > 0)
    throw validationFailed('The change is not valid; see errors for each field.', errors);
  return { changes, expectedVersion: version };
}

function checkName(value: unknown, errors: FieldError[]): string | undefined {
  const name = typeof value === 'string' ? value.trim() : '';
  const length = charLength(name);
  if (length < 1 || length > NAME_MAX)
    errors.push({ path: 'name', message: `must be 1-${NAME_MAX} characters` });
  else if (hasControlCharacters(name))
    errors.push({ path: 'name', message: 'must not contain control characters' });
  else return name;
  return undefined;
}

/** Empty or blank text means "no description". */
function checkDescription(value: string | null | undefined, errors: FieldError[]): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (charLength(text) > DESCRIPTION_MAX)
    errors.push({ path: 'description', message: `must be at most ${DESCRIPTION_MAX} characters` });
  else if (hasControlCharacters(text, true))
    errors.push({
      path: 'description',
      message: 'must not contain control characters other than tab and line breaks',
    });
  else return text.length > 0 ? text : undefined;
  return undefined;
}

function checkCategoryRef(value: string | null | undefined, errors: FieldError[]): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (!isCategorySlug(value)) {
    errors.push({ path: 'category', message: `unknown category ${JSON.stringify(value.slice(0, 80))}` });
    return undefined;
  }
  return value;
}

function checkAttributes(value: unknown, errors: FieldError[]): Attributes {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.push({ path: 'attributes', message: 'must be an object of string, number or boolean values' });
    return {};
  }
  const entries = Object.entries(value);
  if (entries.length > ATTRIBUTES_MAX_KEYS)
    errors.push({ path: 'attributes', message: `must have at most ${ATTRIBUTES_MAX_KEYS} keys` });
  // Own entries only (Object.fromEntries), so a key like `__proto__` stays a plain key.
  const out: [string, string | number | boolean][] = [];
  for (const [key, v] of entries.slice(0, ATTRIBUTES_MAX_KEYS)) {
    const path = `attributes.${key.slice(0, ATTRIBUTE_KEY_MAX)}`;
    if (key.length < 1 || charLength(key) > ATTRIBUTE_KEY_MAX || hasControlCharacters(key)) {
      errors.push({
        path,
        message: `keys must be 1-${ATTRIBUTE_KEY_MAX} characters without control characters`,
      });
    } else if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) {
      out.push([key, v]);
    } else if (typeof v === 'string') {
      if (charLength(v) > ATTRIBUTE_VALUE_MAX || hasControlCharacters(v, true))
        errors.push({
          path,
          message: `text values must be at most ${ATTRIBUTE_VALUE_MAX} characters without control characters`,
        });
      else out.push([key, v]);
    } else {
      errors.push({ path, message: 'must be a string, a finite number or a boolean (attributes are flat)' });
    }
  }
  return Object.fromEntries(out);
}
