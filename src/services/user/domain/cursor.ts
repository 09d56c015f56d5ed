import { validationFailed } from '../../../platform/errors/app-error.js';
import { decodeCursor as decodeKey, encodeCursor as encodeKey } from '../../../platform/http/pagination.js';

/** Keyset cursor of the staff list: opaque to clients, the id of the last row seen. */
export const encodeCursor = (lastId: string): string => encodeKey(lastId);

export function decodeCursor(cursor: string): string {
  const id = decodeKey(cursor);
  if (id === undefined)
    throw validationFailed('The cursor is not valid', [{ path: 'query.cursor', message: 'invalid cursor' }]);
  return id;
}
