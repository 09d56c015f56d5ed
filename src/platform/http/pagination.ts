import { z } from 'zod';

/**
 * Keyset pagination as 03-api.md defines it for every list: `?limit=` (default 20, max 100) and
 * an opaque `?cursor=` (the key of the last row, base64url), answered with `{items, nextCursor}`.
 * Never OFFSET over a changing set.
 */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** The cursor key of most lists: a row id (UUIDv7, so newest-first order is id order). */
export const UUID_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const encodeCursor = (key: string | number): string =>
  Buffer.from(String(key), 'utf8').toString('base64url');

/**
 * The key of a cursor we issued, or undefined. Only the canonical encoding of a key of the expected
 * shape is accepted (Node decodes base64 leniently), so nothing else reaches a query.
 */
export function decodeCursor(cursor: string, shape: RegExp = UUID_KEY): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!shape.test(key) || encodeCursor(key) !== cursor) return undefined;
  return shape === UUID_KEY ? key.toLowerCase() : key;
}

/** `?limit=` with the contract's default and maximum (a larger value is a 400, not clamped). */
export const pageLimitQuery = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_PAGE_SIZE)
  .default(DEFAULT_PAGE_SIZE)
  .describe(`Page size, 1-${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})`);

/** `?cursor=` decoded to its key; a cursor we did not issue is a 400 naming the field. */
export const cursorQuery = (shape: RegExp = UUID_KEY) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const key = decodeCursor(value, shape);
      if (key === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'is not a valid cursor; pass nextCursor from the previous page',
        });
        return z.NEVER;
      }
      return key;
    })
    .describe('Opaque cursor from nextCursor');
