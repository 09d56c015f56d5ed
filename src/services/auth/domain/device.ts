import { createHash } from 'node:crypto';

/**
 * Device binding (docs/security.md "Tokens and sessions"). A session remembers a fingerprint of the
 * client that logged in: the `X-Device-Id` a client generates once and keeps (the strong form), or
 * else a hash of its User-Agent (a weak form: every copy of one browser version shares it and an
 * update changes it, but a refresh token replayed from a different client stack usually differs).
 * Only SHA-256 hashes are stored.
 */
export type DeviceSource = 'device_id' | 'user_agent';

export interface DeviceFingerprint {
  hash: string;
  source: DeviceSource;
}

/** What a client may send as X-Device-Id: printable, bounded (a UUID or similar). */
export const DEVICE_ID_RE = /^[A-Za-z0-9._:-]{8,128}$/;

export const isValidDeviceId = (value: string): boolean => DEVICE_ID_RE.test(value);

const sha256 = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** The fingerprint of a request, or undefined when it carries neither a device id nor a user agent. */
export function deviceFingerprint(
  deviceId: string | undefined,
  userAgent: string | undefined,
): DeviceFingerprint | undefined {
  if (deviceId) return { hash: sha256(`device:${deviceId}`), source: 'device_id' };
  if (userAgent) return { hash: sha256(`ua:${userAgent.slice(0, 512)}`), source: 'user_agent' };
  return undefined;
}

/**
 * `unbound` when the session recorded no fingerprint (nothing to compare), `match` when the same
 * source gives the same hash, `mismatch` otherwise — including a client that logged in with an
 * X-Device-Id and now refreshes without one.
 */
export function compareDevice(
  bound: DeviceFingerprint | undefined,
  presented: DeviceFingerprint | undefined,
): 'unbound' | 'match' | 'mismatch' {
  if (!bound) return 'unbound';
  if (presented && presented.source === bound.source && presented.hash === bound.hash) return 'match';
  return 'mismatch';
}
