import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../errors/app-error.js';

/**
 * Service-to-service credentials: a short-lived HS256 JWT signed with SERVICE_TOKEN_SECRET,
 * `sub` the calling service, `aud` the called one. Only internal RPC routes accept it; the
 * public routes refuse it (`isServiceToken`), and the internal routes refuse any other token.
 */
const ISSUER = 'orderline:services';
const TYPE = 'service+jwt';

export interface ServiceTokens {
  /** A token for calls from `caller` to `callee`, reused until shortly before it expires. */
  tokenFor(callee: string): Promise<string>;
}

export function serviceTokenIssuer(options: {
  secret: string;
  caller: string;
  ttlSeconds: number;
  now?: () => number;
}): ServiceTokens {
  const key = new TextEncoder().encode(options.secret);
  const now = options.now ?? Date.now;
  const cache = new Map<string, { token: string; renewAt: number }>();
  return {
    async tokenFor(callee) {
      const cached = cache.get(callee);
      if (cached && cached.renewAt > now()) return cached.token;
      const issuedAt = Math.floor(now() / 1000);
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: TYPE })
        .setIssuer(ISSUER)
        .setSubject(options.caller)
        .setAudience(callee)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + options.ttlSeconds)
        .sign(key);
      // Renewed at two thirds of its life: a call never leaves with a token about to expire.
      cache.set(callee, { token, renewAt: now() + (options.ttlSeconds * 1000 * 2) / 3 });
      return token;
    },
  };
}

/** Verifies a service token meant for `callee`; returns the calling service. 401 otherwise. */
export async function verifyServiceToken(
  token: string,
  options: { secret: string; callee: string },
): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(options.secret), {
      algorithms: ['HS256'],
      typ: TYPE,
      issuer: ISSUER,
      audience: options.callee,
      requiredClaims: ['sub', 'exp'],
    });
    return payload.sub!;
  } catch (err) {
    throw new AppError('unauthenticated', 'invalid_service_token', 'A valid service token is required', {
      cause: err,
    });
  }
}

/** Whether a bearer token claims to be a service token (public routes refuse it before any check). */
export function isServiceToken(token: string): boolean {
  try {
    return decodeProtectedHeader(token).typ === TYPE;
  } catch {
    // Not a JWT at all: not a service token; the user-token verification refuses it on its own.
    return false;
  }
}
