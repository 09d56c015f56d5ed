import { isUuid } from '../../../platform/ids.js';

/**
 * The list cursor: opaque to clients, base64url of the last product id of a page. The list is
 * ordered by id descending (UUIDv7, so newest first) and the next page is `id < cursor`: keyset
 * pagination, stable while products are added, never OFFSET.
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

/** The id inside a cursor, or `undefined` when the text is not a cursor this service issued. */
export function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  // Node decodes leniently; only the canonical encoding of a UUID is a cursor we issued.
  if (!isUuid(id) || encodeCursor(id) !== cursor) return undefined;
  return id.toLowerCase();
}
