import { validationFailed } from '../../../platform/errors/app-error.js';

/**
 * Opaque keyset cursor of the order lists (newest first by id: UUIDv7 ids sort by creation time).
 * The client gets base64url text and sends it back unchanged; anything else is a 400.
 */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const encodeOrderCursor = (lastId: string): string =>
  Buffer.from(JSON.stringify({ id: lastId }), 'utf8').toString('base64url');

export function decodeOrderCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id?: unknown };
    if (typeof parsed.id === 'string' && UUID_RE.test(parsed.id)) return parsed.id;
  } catch {
    // Not base64url JSON: refused below like any other malformed cursor.
  }
  throw validationFailed('The cursor is not valid', [
    { path: 'query.cursor', message: 'not a valid cursor' },
  ]);
}
