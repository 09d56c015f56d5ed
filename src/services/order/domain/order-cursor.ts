import { validationFailed } from '../../../platform/errors/app-error.js';
import { decodeCursor, encodeCursor } from '../../../platform/http/pagination.js';

/**
 * Keyset cursor of the order lists (newest first by id: UUIDv7 ids sort by creation time). The
 * client gets opaque text and sends it back unchanged; anything else is a 400.
 */
export const encodeOrderCursor = (lastId: string): string => encodeCursor(lastId);

export function decodeOrderCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const id = decodeCursor(cursor);
  if (id === undefined)
    throw validationFailed('The cursor is not valid', [
      { path: 'query.cursor', message: 'not a valid cursor' },
    ]);
  return id;
}
