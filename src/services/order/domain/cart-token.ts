import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Guest cart ownership (OR-P0-02, G9): a 32-byte random token, given to the client once; only its
 * sha256 is stored. Cart ids are UUIDv7 (time-ordered, guessable), so the token — not the id — is
 * what proves ownership on every operation.
 */
export const CART_TOKEN_BYTES = 32;
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export const newCartToken = (): string => randomBytes(CART_TOKEN_BYTES).toString('base64url');

export const hashCartToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('hex');

/** Constant-time comparison of a presented token with a stored hash; malformed tokens never match. */
export function cartTokenMatches(presented: string | undefined, storedHash: string): boolean {
  if (presented === undefined || !TOKEN_RE.test(presented)) return false;
  const a = Buffer.from(hashCartToken(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Who asks for a cart or order: the guest's `X-Cart-Token` and/or a signed-in customer. */
export interface Requester {
  cartToken: string | undefined;
  customerId: string | undefined;
}

/**
 * Ownership on every operation (OR-P0-02, G9): a customer's cart or order only for that customer;
 * a guest's only with its token. Callers answer a mismatch with 404, never 403 (no existence leak).
 */
export function isOwner(
  owner: { tokenHash: string | null; customerId: string | null },
  who: Requester,
): boolean {
  if (owner.customerId !== null) return who.customerId === owner.customerId;
  return owner.tokenHash !== null && cartTokenMatches(who.cartToken, owner.tokenHash);
}
