import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  importJWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { AppError } from '../../../platform/errors/app-error.js';
import { type AccessClaims, accessClaimsSchema } from '../domain/token-claims.js';
import { SIGNING_ALG, type SigningJwk } from './signing-keys.js';

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: typeof SIGNING_ALG;
  use: 'sig';
}

/** Signs access tokens with the active key and verifies them with any known key, by `kid` (A2). */
export interface KeyRing {
  readonly activeKid: string;
  sign(claims: AccessClaims, issuedAt: Date, expiresAt: Date): Promise<string>;
  /** Verifies signature, kid, issuer and expiry at `now`; throws AppError('unauthenticated'). */
  verify(token: string, now: Date): Promise<AccessClaims>;
  jwks(): { keys: PublicJwk[] };
}

const unauthenticated = (code: string, detail: string, cause?: unknown) =>
  new AppError('unauthenticated', code, detail, cause === undefined ? {} : { cause });

/** The public half of a private JWK: never copy `d` (or any other private member) out. */
export const publicJwk = (key: SigningJwk): PublicJwk => ({
  kty: key.kty,
  crv: key.crv,
  x: key.x,
  y: key.y,
  kid: key.kid,
  alg: SIGNING_ALG,
  use: 'sig',
});

export async function createKeyRing(keys: readonly SigningJwk[], issuer: string): Promise<KeyRing> {
  const [active] = keys;
  if (!active) throw new Error('AUTH_JWT_KEYS: at least one signing key is required');
  const signingKey = await importJWK({ ...active, alg: SIGNING_ALG }, SIGNING_ALG);
  const publicKeys = keys.map(publicJwk);
  const keySet = createLocalJWKSet({ keys: publicKeys });

  return {
    activeKid: active.kid,

    sign(claims, issuedAt, expiresAt) {
      const { sub, ...rest } = claims;
      return new SignJWT(rest)
        .setProtectedHeader({ alg: SIGNING_ALG, kid: active.kid, typ: 'JWT' })
        .setSubject(sub)
        .setIssuer(issuer)
        .setIssuedAt(Math.floor(issuedAt.getTime() / 1000))
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(signingKey);
    },

    async verify(token, now) {
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(token);
      } catch (err) {
        throw unauthenticated('invalid_token', 'The access token is malformed', err);
      }
      // Without a kid a token could only be matched by trying keys; we name every key, so refuse.
      if (typeof header.kid !== 'string')
        throw unauthenticated('invalid_token', 'The access token names no key (kid)');
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keySet, {
          issuer,
          algorithms: [SIGNING_ALG],
          currentDate: now,
        }));
      } catch (err) {
        if (err instanceof errors.JWTExpired)
          throw unauthenticated('token_expired', 'The access token has expired', err);
        if (err instanceof errors.JWKSNoMatchingKey)
          throw unauthenticated('invalid_token', 'The access token was signed with an unknown key', err);
        if (err instanceof errors.JOSEError)
          throw unauthenticated('invalid_token', 'The access token is not valid', err);
        throw err;
      }
      const claims = accessClaimsSchema.safeParse(payload);
      if (!claims.success) throw unauthenticated('invalid_token', 'The access token lacks required claims');
      return claims.data;
    },

    jwks: () => ({ keys: publicKeys }),
  };
}
