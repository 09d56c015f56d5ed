import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.js';
import { createLogger } from '../../../platform/logging/logger.js';
import { createMetrics } from '../../../platform/observability/metrics.js';
import type { DirectoryPrincipal, PrincipalDirectory } from '../contract/directory.js';
import type { SessionRow } from '../data/tables.js';
import { claimsFor } from '../domain/token-claims.js';
import { createAuthMetrics } from './auth.metrics.js';
import { createAuthenticator } from './authenticator.js';
import { createDirectoryRegistry } from './directory.registry.js';
import { createKeyRing, type KeyRing } from './key-ring.js';
import { generateSigningKey } from './signing-keys.js';

const SESSION_ID = '01900000-0000-7000-8000-000000000001';
const shipper: DirectoryPrincipal = {
  type: 'shipper',
  id: 'u1',
  roles: ['shipper'],
  permissions: ['shipping:write'],
  permissionsVersion: 2,
};

/** The authenticator's collaborators as fakes whose behaviour each test sets. */
function setup(ring: KeyRing) {
  const clock = new ManualClock(new Date('2026-03-01T12:00:00Z'));
  const state = {
    session: undefined as SessionRow | undefined | Error,
    principal: shipper as DirectoryPrincipal | undefined | Error,
  };
  const directory: PrincipalDirectory = {
    types: ['admin', 'shipper'],
    verifyCredentials: async () => ({ ok: false, reason: 'invalid_credentials' }),
    loadPrincipal: async () => {
      if (state.principal instanceof Error) throw state.principal;
      return state.principal;
    },
    activeVersion: async () => {
      if (state.principal instanceof Error) throw state.principal;
      return state.principal?.permissionsVersion;
    },
  };
  const metrics = createAuthMetrics(createMetrics({ defaults: false }));
  const authenticate = createAuthenticator({
    sessions: {
      findSession: async () => {
        if (state.session instanceof Error) throw state.session;
        return state.session;
      },
    },
    directories: createDirectoryRegistry([directory]),
    keys: async () => ring,
    clock,
    metrics,
    logger: createLogger({ level: 'silent' }),
  });
  const liveSession = (): SessionRow => ({
    id: SESSION_ID,
    principal_type: 'shipper',
    principal_id: 'u1',
    created_at: clock.now(),
    last_used_at: clock.now(),
    expires_at: new Date(clock.now().getTime() + 3600_000),
    revoked_at: null,
    revoke_reason: null,
    user_agent: null,
    ip: null,
    device_hash: null,
    device_source: null,
  });
  state.session = liveSession();
  const token = (principal = shipper) =>
    ring.sign(claimsFor(principal, SESSION_ID), clock.now(), new Date(clock.now().getTime() + 900_000));
  return { clock, state, authenticate, token, liveSession, metrics };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (err: { code: string }) => err.code,
  );

describe('authenticate', () => {
  let ring: KeyRing;
  beforeEach(async () => {
    ring = await createKeyRing([await generateSigningKey('k1')], 'orderline');
  });

  it('returns the principal of a valid token with a live session and current permissions', async () => {
    const { authenticate, token } = setup(ring);
    expect(await authenticate(await token())).toEqual({
      type: 'shipper',
      id: 'u1',
      roles: ['shipper'],
      permissions: ['shipping:write'],
      permissionsVersion: 2,
      sessionId: SESSION_ID,
    });
  });

  it('refuses a revoked, expired, missing or foreign session with session_revoked', async () => {
    const { authenticate, token, state, liveSession } = setup(ring);
    const t = await token();
    state.session = { ...liveSession(), revoked_at: new Date(), revoke_reason: 'logout' };
    expect(await codeOf(authenticate(t))).toBe('session_revoked');
    state.session = { ...liveSession(), expires_at: new Date(0) };
    expect(await codeOf(authenticate(t))).toBe('session_revoked');
    state.session = undefined;
    expect(await codeOf(authenticate(t))).toBe('session_revoked');
    state.session = { ...liveSession(), principal_id: 'someone-else' };
    expect(await codeOf(authenticate(t))).toBe('session_revoked');
  });

  it('refuses a token whose permissions version is behind the directory (U3)', async () => {
    const { authenticate, token, state } = setup(ring);
    const t = await token();
    state.principal = { ...shipper, permissionsVersion: 3 };
    expect(await codeOf(authenticate(t))).toBe('token_stale');
  });

  it('refuses a token of a principal that is no longer active', async () => {
    const { authenticate, token, state } = setup(ring);
    const t = await token();
    state.principal = undefined;
    expect(await codeOf(authenticate(t))).toBe('account_disabled');
  });

  it('refuses an expired token whatever the stores say', async () => {
    const { authenticate, token, clock } = setup(ring);
    const t = await token();
    clock.advance(901_000);
    expect(await codeOf(authenticate(t))).toBe('token_expired');
  });

  it('fails open on a store error while checking the session or the principal (A3), and counts it', async () => {
    const { authenticate, token, state, metrics } = setup(ring);
    const t = await token();
    state.session = new Error('connection terminated unexpectedly');
    expect((await authenticate(t)).id).toBe('u1');
    state.principal = new Error('connection terminated unexpectedly');
    expect((await authenticate(t)).id).toBe('u1');
    const failOpen = (await metrics.validations.get()).values.find((v) => v.labels.result === 'fail_open');
    expect(failOpen?.value).toBe(3);
  });

  it('still checks the signature when the stores are down', async () => {
    const { authenticate, state } = setup(ring);
    state.session = new Error('down');
    const other = await createKeyRing([await generateSigningKey('k1')], 'orderline');
    const forged = await other.sign(
      claimsFor(shipper, SESSION_ID),
      new Date('2026-03-01T12:00:00Z'),
      new Date('2026-03-01T12:15:00Z'),
    );
    expect(await codeOf(authenticate(forged))).toBe('invalid_token');
  });
});

describe('directory registry', () => {
  const directory = (types: PrincipalDirectory['types']): PrincipalDirectory => ({
    types,
    verifyCredentials: async () => ({ ok: false, reason: 'invalid_credentials' }),
    loadPrincipal: async () => undefined,
    activeVersion: async () => undefined,
  });

  it('routes each principal type to its directory, so customers plug in as one more directory', () => {
    const staff = directory(['admin', 'shipper']);
    const customers = directory(['customer']);
    const registry = createDirectoryRegistry([staff, customers]);
    expect(registry.for('shipper')).toBe(staff);
    expect(registry.for('customer')).toBe(customers);
    expect(createDirectoryRegistry([staff]).for('customer')).toBeUndefined();
  });

  it('refuses two directories for one type', () => {
    expect(() => createDirectoryRegistry([directory(['admin']), directory(['admin', 'customer'])])).toThrow(
      /admin/,
    );
  });
});
