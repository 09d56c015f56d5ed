/**
 * Opaque list cursors: base64url of the last item's key (a UUID or a version number), decoded
 * strictly so only cursors this service issued are accepted.
 */
export const encodeCursor = (key: string | number): string =>
  Buffer.from(String(key), 'utf8').toString('base64url');

export function decodeCursor(cursor: string, pattern: RegExp): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!pattern.test(key) || encodeCursor(key) !== cursor) return undefined;
  return key;
}
