import { validationFailed } from '../../../platform/errors/app-error.js';
import { isUuid } from '../../../platform/ids.js';

/**
 * Opaque keyset cursor over UUIDv7 ids (time-ordered): base64url of the last id returned. Opaque
 * so clients cannot depend on its shape; validated so a forged value is a 400, never a 500.
 */
export const encodeCursor = (lastId: string): string =>
  Buffer.from(`v1:${lastId}`, 'utf8').toString('base64url');

export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith('v1:') ? text.slice(3) : '';
  if (!isUuid(id))
    throw validationFailed('The cursor is not valid', [{ path: 'query.cursor', message: 'invalid cursor' }]);
  return id;
}
