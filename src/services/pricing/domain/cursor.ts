/**
 * Opaque list cursors: base64url of the last item's sort key. Keyset pagination, never OFFSET;
 * only the canonical encoding of a key of the expected shape is accepted back.
 */
export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, shape: RegExp): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  return shape.test(key) && encodeCursor(key) === cursor ? key : undefined;
}

export const UUID_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const PAIR_KEY = /^[A-Z]{3}\/[A-Z]{3}$/;
export const COUNTRY_KEY = /^[A-Z]{2}$/;
