import { type Algorithm, hash, verify } from '@node-rs/argon2';

/**
 * Password hashing for every directory (staff users now, customers later): argon2id with the
 * OWASP-recommended parameters (19 MiB, 2 passes, 1 lane), which are also @node-rs/argon2's
 * defaults — stated here so an upgrade of the library cannot silently weaken them.
 */
const ARGON2ID = 2 as Algorithm; // Algorithm.Argon2id; the enum is `const` and unusable under isolatedModules.
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Longest password accepted anywhere: hashing is deliberately expensive, so bound the input. */
export const PASSWORD_MAX_LENGTH = 256;
export const PASSWORD_MIN_LENGTH = 12;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/**
 * True when `password` matches the PHC string `passwordHash`. A malformed stored hash is a data
 * error, not a wrong password: it throws so it is seen instead of reading as "invalid credentials".
 */
export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same work as a real verification when there is no account to check against, so the
 * response time does not reveal whether an email is registered (account enumeration).
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hash('orderline-dummy-password-for-timing', OPTIONS);
  await verify(await dummyHash, password);
  return false;
}
