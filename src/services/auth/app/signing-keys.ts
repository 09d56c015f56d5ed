import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { z } from 'zod';
import type { Config } from '../../../platform/config/config.js';
import type { Logger } from '../../../platform/logging/logger.js';

export const SIGNING_ALG = 'ES256';
export const DEV_KEYS_FILE = 'dev-jwt-keys.json';

/** A private EC P-256 JWK with the `kid` tokens name it by (A2). */
const signingJwkSchema = z.looseObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().min(1),
  y: z.string().min(1),
  d: z.string().min(1, 'must be a private key (d)'),
  kid: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'kid must be 1-64 characters of A-Z a-z 0-9 . _ -'),
});
export type SigningJwk = z.infer<typeof signingJwkSchema> & JWK;

const keySetSchema = z
  .array(signingJwkSchema)
  .refine((keys) => keys.length > 0, 'at least one key is required')
  .refine((keys) => new Set(keys.map((k) => k.kid)).size === keys.length, 'every key needs a distinct kid');

/**
 * Parses a key set. The first key signs; every key verifies, so rotation is: put the new key first,
 * keep the old one after it until the last token it signed has expired, then drop it.
 */
export function parseSigningKeys(text: string, source: string): SigningJwk[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
  }
  // A JSON array of keys, or a JWKS object `{ "keys": [...] }` as other tools write it.
  const list =
    json !== null && typeof json === 'object' && !Array.isArray(json) && 'keys' in json ? json.keys : json;
  const result = keySetSchema.safeParse(list);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${source}: not a valid ES256 key set — ${issues.join('; ')}`);
  }
  return result.data as SigningJwk[];
}

/** A new ES256 private JWK (`orderline keys generate`); kid defaults to the date plus random hex. */
export async function generateSigningKey(kid?: string): Promise<SigningJwk> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const id =
    kid ?? `${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;
  const [key] = parseSigningKeys(
    JSON.stringify([{ ...jwk, kid: id, alg: SIGNING_ALG, use: 'sig' }]),
    'generated key',
  );
  return key!;
}

type KeyConfig = Pick<
  Config,
  'AUTH_JWT_KEYS' | 'AUTH_JWT_KEYS_FILE' | 'DATA_DIR' | 'EPHEMERAL' | 'isProduction'
>;

/** Loads the signing keys from AUTH_JWT_KEYS, AUTH_JWT_KEYS_FILE or, outside production, dev keys. */
export async function loadSigningKeys(config: KeyConfig, logger: Logger): Promise<SigningJwk[]> {
  if (config.AUTH_JWT_KEYS && config.AUTH_JWT_KEYS_FILE)
    throw new Error('AUTH_JWT_KEYS and AUTH_JWT_KEYS_FILE are both set; set only one');
  if (config.AUTH_JWT_KEYS) return parseSigningKeys(config.AUTH_JWT_KEYS, 'AUTH_JWT_KEYS');
  if (config.AUTH_JWT_KEYS_FILE) {
    const text = await readFile(config.AUTH_JWT_KEYS_FILE, 'utf8').catch((err: Error) => {
      throw new Error(`AUTH_JWT_KEYS_FILE: cannot read ${config.AUTH_JWT_KEYS_FILE}: ${err.message}`);
    });
    return parseSigningKeys(text, `AUTH_JWT_KEYS_FILE (${config.AUTH_JWT_KEYS_FILE})`);
  }
  // Config already refuses this in production; checked again because a key forged from a dev key
  // file would be a full compromise.
  if (config.isProduction) throw new Error('AUTH_JWT_KEYS: signing keys are required in production');
  if (config.EPHEMERAL) {
    logger.warn(
      'development signing key in use (in memory; tokens end with the process) — set AUTH_JWT_KEYS',
    );
    return [await generateSigningKey('dev')];
  }
  return loadOrCreateDevKeys(join(config.DATA_DIR, DEV_KEYS_FILE), logger);
}

/** Dev keys persist in the data dir so logins survive a restart. */
async function loadOrCreateDevKeys(path: string, logger: Logger): Promise<SigningJwk[]> {
  const existing = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new Error(`cannot read development keys ${path}: ${err.message}`);
  });
  if (existing !== undefined) {
    logger.warn({ path }, 'development signing keys in use — set AUTH_JWT_KEYS for real deployments');
    return parseSigningKeys(existing, path);
  }
  const keys = [await generateSigningKey('dev')];
  await mkdir(join(path, '..'), { recursive: true });
  // Written aside, then linked into place: link() fails atomically when the file exists, and the
  // file is complete whenever it is visible, so two processes starting at once agree on one key.
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  try {
    await link(temporary, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return parseSigningKeys(await readFile(path, 'utf8'), path);
  } finally {
    await unlink(temporary);
  }
  logger.warn({ path }, 'generated development signing keys — set AUTH_JWT_KEYS for real deployments');
  return keys;
}
