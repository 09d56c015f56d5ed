import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../platform/logging/logger.js';
import { DEV_KEYS_FILE, generateSigningKey, loadSigningKeys, parseSigningKeys } from './signing-keys.js';

const logger = createLogger({ level: 'silent' });
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'orderline-keys-'));
  dirs.push(dir);
  return dir;
};
const base = {
  AUTH_JWT_KEYS: undefined,
  AUTH_JWT_KEYS_FILE: undefined,
  DATA_DIR: '/nonexistent',
  EPHEMERAL: true,
  isProduction: false,
};

describe('parseSigningKeys', () => {
  it('accepts a JSON array or a JWKS object of private ES256 keys', async () => {
    const key = await generateSigningKey('a');
    expect(parseSigningKeys(JSON.stringify([key]), 'X')[0]!.kid).toBe('a');
    expect(parseSigningKeys(JSON.stringify({ keys: [key] }), 'X')[0]!.kid).toBe('a');
  });

  it('names the setting and the problem for bad input', async () => {
    const key = await generateSigningKey('a');
    const { d: _private, ...publicOnly } = key;
    expect(() => parseSigningKeys('{nope', 'AUTH_JWT_KEYS')).toThrow(/AUTH_JWT_KEYS: not valid JSON/);
    expect(() => parseSigningKeys('[]', 'AUTH_JWT_KEYS')).toThrow(/at least one key/);
    expect(() => parseSigningKeys(JSON.stringify([publicOnly]), 'AUTH_JWT_KEYS')).toThrow(/AUTH_JWT_KEYS.*d/);
    expect(() => parseSigningKeys(JSON.stringify([{ ...key, kid: undefined }]), 'AUTH_JWT_KEYS')).toThrow(
      /kid/,
    );
    expect(() => parseSigningKeys(JSON.stringify([key, key]), 'AUTH_JWT_KEYS')).toThrow(/distinct kid/);
    expect(() => parseSigningKeys(JSON.stringify([{ ...key, crv: 'P-384' }]), 'AUTH_JWT_KEYS')).toThrow(
      /crv/,
    );
  });
});

describe('generateSigningKey', () => {
  it('makes distinct private keys with a generated kid unless one is given', async () => {
    const [a, b] = await Promise.all([generateSigningKey(), generateSigningKey('mine')]);
    expect(a.kid).toMatch(/^\d{8}-[0-9a-f]{8}$/);
    expect(b.kid).toBe('mine');
    expect(a.d).not.toBe(b.d);
    expect(a).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
  });
});

describe('loadSigningKeys', () => {
  it('reads AUTH_JWT_KEYS, or AUTH_JWT_KEYS_FILE, and refuses both at once', async () => {
    const keys = [await generateSigningKey('one'), await generateSigningKey('two')];
    expect(
      (await loadSigningKeys({ ...base, AUTH_JWT_KEYS: JSON.stringify(keys) }, logger)).map((k) => k.kid),
    ).toEqual(['one', 'two']);
    const dir = await tempDir();
    const file = join(dir, 'keys.json');
    await writeFile(file, JSON.stringify(keys));
    expect((await loadSigningKeys({ ...base, AUTH_JWT_KEYS_FILE: file }, logger)).map((k) => k.kid)).toEqual([
      'one',
      'two',
    ]);
    await expect(
      loadSigningKeys({ ...base, AUTH_JWT_KEYS_FILE: join(dir, 'missing.json') }, logger),
    ).rejects.toThrow(/AUTH_JWT_KEYS_FILE: cannot read/);
    await expect(
      loadSigningKeys({ ...base, AUTH_JWT_KEYS: '[]', AUTH_JWT_KEYS_FILE: file }, logger),
    ).rejects.toThrow(/both set/);
  });

  it('refuses to invent keys in production', async () => {
    await expect(loadSigningKeys({ ...base, isProduction: true }, logger)).rejects.toThrow(/AUTH_JWT_KEYS/);
  });

  it('persists a generated development key in DATA_DIR so it survives restarts', async () => {
    const dir = join(await tempDir(), 'data');
    const config = { ...base, EPHEMERAL: false, DATA_DIR: dir };
    const [first, concurrent] = await Promise.all([
      loadSigningKeys(config, logger),
      loadSigningKeys(config, logger),
    ]);
    expect(concurrent).toEqual(first);
    const again = await loadSigningKeys(config, logger);
    expect(again).toEqual(first);
    expect(JSON.parse(await readFile(join(dir, DEV_KEYS_FILE), 'utf8'))).toEqual(first);
  });

  it('keeps an ephemeral development key in memory only', async () => {
    const [a] = await loadSigningKeys(base, logger);
    const [b] = await loadSigningKeys(base, logger);
    expect(a!.d).not.toBe(b!.d);
  });
});
