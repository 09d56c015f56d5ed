import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { AppError } from '../errors/app-error.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../eventing/eventing.fixtures.js';
import { newId } from '../ids.js';
import {
  findIdempotencyKey,
  type IdempotencyOptions,
  type IdempotencyTables,
  type Prepared,
  purgeExpiredIdempotencyKeys,
  requestHash,
  type StoredResponse,
  withIdempotency,
} from './idempotency.js';

describe('requestHash', () => {
  it('ignores key order and undefined members but not values', () => {
    expect(requestHash({ a: 1, b: { c: 'x', d: [1, 2] } })).toBe(
      requestHash({ b: { d: [1, 2], c: 'x' }, a: 1, e: undefined }),
    );
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }));
    expect(requestHash({ a: [1, 2] })).not.toBe(requestHash({ a: [2, 1] }));
    expect(requestHash({ a: '1' })).not.toBe(requestHash({ a: 1 }));
  });
});

describe.each(databaseKinds())('withIdempotency on %s', (kind) => {
  let tdb: TestDatabase;
  let db: Kysely<IdempotencyTables>;
  const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
  const opts: IdempotencyOptions = { clock, leaseMs: 60_000, retentionHours: 24 };
  const ok = (body: unknown): StoredResponse => ({ status: 201, body });

  beforeAll(async () => {
    tdb = await createTestDatabase(kind, ['idem']);
    db = tdb.database.forSchema<IdempotencyTables>('idem');
  });
  afterAll(() => tdb?.cleanup());

  const req = (key: string, body: unknown = { cart: 'c1' }) => ({
    scope: 'test',
    key,
    requestHash: requestHash(body),
  });

  it('runs once and replays the stored status and body for the same key and body', async () => {
    let runs = 0;
    const key = newId();
    const first = await withIdempotency(db, req(key), opts, async () => {
      runs++;
      return ok({ id: 'order-1', total: '100' });
    });
    const second = await withIdempotency(db, req(key), opts, async () => {
      runs++;
      return ok({ id: 'order-2' });
    });
    expect(runs).toBe(1);
    expect(first).toEqual({
      replayed: false,
      response: { status: 201, body: { id: 'order-1', total: '100' } },
    });
    expect(second).toEqual({ replayed: true, response: first.response });
  });

  it('refuses the same key with a different body with 422 idempotency_key_reused', async () => {
    const key = newId();
    await withIdempotency(db, req(key, { a: 1 }), opts, async () => ok({}));
    await expect(withIdempotency(db, req(key, { a: 2 }), opts, async () => ok({}))).rejects.toMatchObject({
      kind: 'unprocessable',
      code: 'idempotency_key_reused',
    });
  });

  it('does not record a run that throws: the key is free again', async () => {
    const key = newId();
    await expect(
      withIdempotency(db, req(key), opts, async () => {
        throw new AppError('validation', 'validation_failed', 'bad');
      }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    expect(await findIdempotencyKey(db, 'test', key)).toBeUndefined();
    const again = await withIdempotency(db, req(key), opts, async () => ok({ second: true }));
    expect(again.replayed).toBe(false);
  });

  it('lets exactly one of concurrent duplicates run; the others get 409 in use or the replay', async () => {
    const key = newId();
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const first = withIdempotency(db, req(key), opts, async () => {
      runs++;
      await gate;
      return ok({ winner: true });
    });
    // While the first holds the key, every duplicate is refused with 409.
    const duringRun = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        withIdempotency(db, req(key), opts, async () => {
          runs++;
          return ok({ winner: false });
        }),
      ),
    );
    for (const r of duringRun) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'idempotency_key_in_use' });
    }
    release();
    await first;
    const after = await Promise.all(
      Array.from({ length: 4 }, () => withIdempotency(db, req(key), opts, async () => ok({ winner: false }))),
    );
    expect(runs).toBe(1);
    for (const r of after) expect(r).toEqual({ replayed: true, response: ok({ winner: true }) });
  });

  it('races truly parallel first requests: one runs, the rest see in_progress or completed', async () => {
    const key = newId();
    let runs = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        withIdempotency(db, req(key), opts, async () => {
          runs++;
          return ok({ n: runs });
        }),
      ),
    );
    expect(runs).toBe(1);
    for (const r of results) {
      if (r.status === 'fulfilled') expect(r.value.response).toEqual(ok({ n: 1 }));
      else expect(r.reason).toMatchObject({ code: 'idempotency_key_in_use' });
    }
  });

  it('takes over a stuck in_progress row after the lease, recovers its resource and fences the old holder', async () => {
    const key = newId();
    let oldClaimComplete!: (r: StoredResponse) => Promise<void>;
    let parked!: () => void;
    const parkedPromise = new Promise<void>((r) => {
      parked = r;
    });
    let releaseOld!: () => void;
    const oldGate = new Promise<void>((r) => {
      releaseOld = r;
    });
    const old = withIdempotency(db, req(key), opts, async (claim) => {
      await claim.setResource(db, 'resource-old');
      oldClaimComplete = (r) => claim.complete(db, r);
      parked();
      await oldGate;
      return ok({ from: 'old' });
    });
    await parkedPromise;
    // Within the lease the key is in use.
    await expect(withIdempotency(db, req(key), opts, async () => ok({}))).rejects.toMatchObject({
      code: 'idempotency_key_in_use',
    });
    clock.advance(opts.leaseMs + 1);
    const recovered: (string | null)[] = [];
    const taken = await withIdempotency(db, req(key), opts, async () => ok({ from: 'new' }), {
      recover: async (stale) => {
        recovered.push(stale.resourceId);
      },
    });
    expect(recovered).toEqual(['resource-old']);
    expect(taken).toEqual({ replayed: false, response: ok({ from: 'new' }) });
    // The slow old holder can no longer complete: its fencing token is gone.
    await expect(oldClaimComplete(ok({ from: 'old' }))).rejects.toMatchObject({
      code: 'idempotency_lease_lost',
    });
    releaseOld();
    await expect(old).rejects.toMatchObject({ code: 'idempotency_lease_lost' });
    const row = await findIdempotencyKey(db, 'test', key);
    expect(row?.status).toBe('completed');
    expect(row?.response_body).toEqual({ from: 'new' });
  });

  it('keeps keys for the retention period and purges them afterwards in bounded batches', async () => {
    const keys = [newId(), newId(), newId()];
    for (const key of keys) await withIdempotency(db, req(key), opts, async () => ok({ key }));
    expect(await purgeExpiredIdempotencyKeys(db, clock.now(), 100)).toBe(0);
    clock.advance(opts.retentionHours * 3_600_000 + 1);
    // An expired key that was not purged yet is free again (not replayed).
    const reused = await withIdempotency(db, req(keys[0]!, { other: true }), opts, async () =>
      ok({ fresh: 1 }),
    );
    expect(reused.replayed).toBe(false);
    const purged = await purgeExpiredIdempotencyKeys(db, clock.now(), 1);
    expect(purged).toBe(1);
    let total = purged;
    for (let i = 0; i < 100; i++) {
      const n = await purgeExpiredIdempotencyKeys(db, clock.now(), 1);
      if (n === 0) break;
      total += n;
    }
    expect(total).toBeGreaterThanOrEqual(2);
    for (const key of keys.slice(1)) expect(await findIdempotencyKey(db, 'test', key)).toBeUndefined();
    expect((await findIdempotencyKey(db, 'test', keys[0]!))?.response_body).toEqual({ fresh: 1 });
  });

  it('refuses malformed keys before touching the database', async () => {
    await expect(withIdempotency(db, req(''), opts, async () => ok({}))).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(withIdempotency(db, req('a b'), opts, async () => ok({}))).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });
  it('prepares a new key before claiming it and commits the claim with the prepared write', async () => {
    const key = newId();
    const resourceId = newId();
    let prepares = 0;
    let written = 0;
    let seen: string | undefined;
    const prepare = async (): Promise<Prepared<string>> => {
      prepares++;
      return {
        value: 'quoted',
        resourceId,
        write: async (tx) => {
          const row = await findIdempotencyKey(tx, 'test', key);
          // The write runs in the transaction that inserted the key, which already names the resource.
          expect(row).toMatchObject({ status: 'in_progress', resource_id: resourceId });
          written++;
        },
      };
    };
    const first = await withIdempotency(
      db,
      req(key),
      opts,
      async (_claim, prepared) => {
        seen = prepared;
        return ok({ id: resourceId });
      },
      { prepare },
    );
    const replay = await withIdempotency(db, req(key), opts, async () => ok({ id: 'other' }), { prepare });
    expect([prepares, written, seen]).toEqual([1, 1, 'quoted']);
    expect(first.replayed).toBe(false);
    expect(replay).toEqual({ replayed: true, response: first.response });
  });

  it('records nothing when prepare fails (validation before the claim)', async () => {
    const key = newId();
    await expect(
      withIdempotency(db, req(key), opts, async () => ok({}), {
        prepare: async () => {
          throw new AppError('unprocessable', 'cart_empty', 'The cart has no items');
        },
      }),
    ).rejects.toMatchObject({ code: 'cart_empty' });
    expect(await findIdempotencyKey(db, 'test', key)).toBeUndefined();
  });

  it('rolls the claim back with a failing prepared write, so the key stays free', async () => {
    const key = newId();
    const failing = {
      prepare: async () => ({
        value: undefined,
        resourceId: newId(),
        write: async () => {
          throw new Error('write failed');
        },
      }),
    };
    await expect(withIdempotency(db, req(key), opts, async () => ok({}), failing)).rejects.toThrow(
      'write failed',
    );
    expect(await findIdempotencyKey(db, 'test', key)).toBeUndefined();
  });
});
