import { type FieldError, validationFailed } from '../../../platform/errors/app-error.js';
import { charLength, hasControlCharacters } from './text.js';

/** Category slugs: lower-case words of letters and digits joined by single hyphens. */
export const CATEGORY_SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const CATEGORY_SLUG_MAX = 64;
export const CATEGORY_NAME_MAX = 100;

export const isCategorySlug = (value: string): boolean =>
  value.length <= CATEGORY_SLUG_MAX && CATEGORY_SLUG_RE.test(value);

export interface NormalizedNewCategory {
  slug: string;
  name: string;
  parentSlug: string | null;
}

export function validateNewCategory(input: {
  slug: string;
  name: string;
  parent?: string | undefined;
}): NormalizedNewCategory {
  const errors: FieldError[] = [];
  const slug = typeof input.slug === 'string' ? input.slug.trim() : '';
  if (!isCategorySlug(slug))
    errors.push({
      path: 'slug',
      message: `must be 1-${CATEGORY_SLUG_MAX} lower-case letters and digits in words joined by single hyphens`,
    });
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (charLength(name) < 1 || charLength(name) > CATEGORY_NAME_MAX || hasControlCharacters(name))
    errors.push({
      path: 'name',
      message: `must be 1-${CATEGORY_NAME_MAX} characters without control characters`,
    });
  const parent = input.parent ?? null;
  if (parent !== null && !isCategorySlug(parent))
    errors.push({
      path: 'parent',
      message: `unknown category ${JSON.stringify(String(parent).slice(0, 80))}`,
    });
  if (errors.length > 0)
    throw validationFailed('The category is not valid; see errors for each field.', errors);
  return { slug, name, parentSlug: parent };
}
