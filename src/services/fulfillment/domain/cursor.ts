import { isUuid } from '../../../platform/ids.js';

/** List cursors: opaque base64url of the last id of a page (keyset on the UUIDv7 id, never OFFSET). */
export const encodeCursor = (lastId: string): string => Buffer.from(lastId, 'utf8').toString('base64url');

/** The id a cursor this service issued stands for; undefined for anything else. */
export function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(id) || encodeCursor(id) !== cursor) return undefined;
  return id.toLowerCase();
}
