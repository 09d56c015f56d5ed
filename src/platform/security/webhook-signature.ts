import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors/app-error.js';

/**
 * Signed webhooks (OR-P0-04), one scheme for payment providers and carriers:
 * `Orderline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
 * Several `v1=` values may be sent (and several secrets configured) so secrets rotate without
 * downtime; any one match is enough. The timestamp must be within the tolerance in both
 * directions, so a captured delivery cannot be replayed later and a forged future one is refused.
 */
export const SIGNATURE_HEADER = 'orderline-signature';

export function computeSignature(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex');
}

/** The header value a sender puts on a delivery, signed with `secret` at `timestamp` (unix seconds). */
export function signWebhook(rawBody: string, secret: string, timestamp: number): string {
  return `t=${timestamp},v1=${computeSignature(secret, timestamp, rawBody)}`;
}

export interface ParsedSignature {
  timestamp: number;
  signatures: string[];
}

/** Parses `t=…,v1=…[,v1=…]`; unknown schemes are ignored (forward compatible); undefined when malformed. */
export function parseSignatureHeader(header: string): ParsedSignature | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) return undefined;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (/^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
    }
  }
  if (timestamp === undefined || signatures.length === 0) return undefined;
  return { timestamp, signatures };
}

export interface VerifyWebhookOptions {
  rawBody: string;
  header: string | string[] | undefined;
  secrets: readonly string[];
  toleranceSeconds: number;
  now: Date;
}

const refused = (detail: string): AppError => new AppError('unauthenticated', 'invalid_signature', detail);

/**
 * Verifies a delivery or throws AppError('unauthenticated', 'invalid_signature') → 401. Comparison
 * is constant-time per candidate; nothing about which part failed beyond the category is revealed.
 */
export function verifyWebhookSignature(options: VerifyWebhookOptions): { timestamp: number } {
  const { rawBody, header, secrets, toleranceSeconds, now } = options;
  if (typeof header !== 'string' || header.length === 0)
    throw refused('The request carries no Orderline-Signature header');
  if (header.length > 4096) throw refused('The Orderline-Signature header is malformed');
  const parsed = parseSignatureHeader(header);
  if (!parsed) throw refused('The Orderline-Signature header is malformed');
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds)
    throw refused('The signature timestamp is outside the tolerance');
  if (secrets.length === 0) throw refused('No webhook secret is configured for this sender');
  const candidates = parsed.signatures.map((s) => Buffer.from(s, 'hex'));
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(computeSignature(secret, parsed.timestamp, rawBody), 'hex');
    for (const candidate of candidates) {
      // Every pair is compared (no early exit) so timing does not tell which secret matched.
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  if (!matched) throw refused('The signature does not match the request body');
  return { timestamp: parsed.timestamp };
}

/** A webhook delivery as a sender makes it: POST `body` with these headers. */
export interface SignedDelivery {
  headers: Record<string, string>;
  body: string;
}

/**
 * What a built-in simulated sender (testpay, simcarrier) sends: `body` signed with the first of
 * its secrets at `at`. `sender` names it in the error when it has no secret.
 */
export function signedDelivery(
  sender: string,
  secrets: readonly string[],
  body: string,
  at: Date,
): SignedDelivery {
  const secret = secrets[0];
  if (!secret) throw new AppError('internal', 'webhook_secret_missing', `${sender} has no signing secret`);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signWebhook(body, secret, Math.floor(at.getTime() / 1000)),
    },
  };
}

/**
 * The configured secrets of a simulated sender, or — outside production, whose configuration
 * refuses an empty list — one random secret for this process, so its webhooks stay verifiable and
 * unforgeable without setup. Only the secret's fingerprint is logged.
 */
export function secretsOrGenerated(
  configured: readonly string[],
  setting: string,
  logger: { warn(obj: object, msg: string): void },
): string[] {
  if (configured.length > 0) return [...configured];
  const secret = `whsec_${randomBytes(24).toString('hex')}`;
  logger.warn(
    { fingerprint: createHash('sha256').update(secret).digest('hex').slice(0, 12) },
    `${setting} is empty: generated a random webhook secret for this process`,
  );
  return [secret];
}
