import { createHash } from 'node:crypto';
import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import { AppError } from '../errors/app-error.js';
import { newId } from '../ids.js';
import { transaction } from '../outbox/outbox.publisher.js';

/**
 * Idempotency keys on HTTP writes with Stripe's semantics (01-platform.md "Security", G2):
 * - the first request inserts the key `in_progress`; that INSERT … ON CONFLICT DO NOTHING is the
 *   lock, so of two concurrent duplicates exactly one runs;
 * - a duplicate while the first still runs gets 409 `idempotency_key_in_use`;
 * - once completed, the same key and body get the stored response (same status, same body);
 * - the same key with another body gets 422 `idempotency_key_reused`;
 * - a run that throws (validation failed, nothing done, or everything compensated) is NOT recorded:
 *   the row is deleted and the key may be used again;
 * - a holder that crashed leaves an `in_progress` row: after `leaseMs` the next request (or a
 *   recovery job) takes it over with a new fencing token (`lock_id`), lets the owner recover the
 *   resource it left half-done (`recover` hook) and runs again. The old holder, if it was only slow,
 *   can no longer complete: `complete()` checks the token inside the caller's transaction.
 */

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  status: 'in_progress' | 'completed';
  response_status: number | null;
  response_body: ColumnType<unknown, string | null, string | null>;
  resource_id: string | null;
  lock_id: string;
  locked_at: Timestamp;
  created_at: Timestamp;
  expires_at: Timestamp;
}

/** The platform table (migration platform-0005) as Kysely sees it, in any service schema. */
export interface IdempotencyTables {
  idempotency_keys: IdempotencyKeysTable;
}

// biome-ignore lint/suspicious/noExplicitAny: any service's schema type is accepted here (its own tables plus the platform's)
type Db = Kysely<any> | Transaction<any>;
// biome-ignore lint/suspicious/noExplicitAny: as above
type AnyTransaction = Transaction<any>;
const table = (db: Db) => db as unknown as Kysely<IdempotencyTables>;

export interface IdempotencyRequest {
  /** Namespace of the key (e.g. `checkout`); keys of different scopes never collide. */
  scope: string;
  key: string;
  /** `requestHash(body)`: the canonical request the key was first used with. */
  requestHash: string;
}

export interface IdempotencyOptions {
  clock: Clock;
  /** How long an `in_progress` holder is trusted before its row may be taken over. */
  leaseMs: number;
  /** How long a key is kept (IDEMPOTENCY_KEY_RETENTION_HOURS, at least 24 h). */
  retentionHours: number;
}

/** A response as stored and replayed: status code and JSON body. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface IdempotencyClaim {
  readonly scope: string;
  readonly key: string;
  /** Fencing token of this holder. */
  readonly lockId: string;
  /** Records what this run is creating, so a takeover can recover it; fenced. */
  setResource(db: Db, resourceId: string): Promise<void>;
  /**
   * Stores the response; call it inside the transaction that commits the outcome so the outcome and
   * its stored response commit together. Throws `idempotency_lease_lost` (and so rolls the caller's
   * transaction back) when another holder took the key over.
   */
  complete(db: Db, response: StoredResponse): Promise<void>;
  readonly completed: boolean;
}

export interface IdempotentResult {
  /** True when the stored response of an earlier request was returned. */
  replayed: boolean;
  response: StoredResponse;
}

/**
 * Work done before the key is claimed, and written WITH the claim. `prepare` runs only when the key
 * is new (a replay never re-validates): a throw there records nothing. Its `write` runs in the
 * transaction that inserts the key (one commit for the lock and the run's first record), and the
 * key row carries `resourceId` from the start.
 */
export interface Prepared<P> {
  value: P;
  resourceId: string;
  write(tx: AnyTransaction): Promise<void>;
}

export interface IdempotencyHooks<P = undefined> {
  /** Called after a stale `in_progress` row was taken over, with what the crashed run recorded. */
  recover?(stale: { resourceId: string | null }): Promise<void>;
  /** Logs a failure to release the key after a failed run (the lease then frees it). */
  onReleaseError?(err: unknown): void;
  prepare?(): Promise<Prepared<P>>;
}

export const IDEMPOTENCY_KEY_RE = /^[\x21-\x7e]{1,255}$/;

/** sha256 of the canonical JSON of `value` (object keys sorted), so key order never matters. */
export function requestHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const keyInUse = () =>
  new AppError(
    'conflict',
    'idempotency_key_in_use',
    'A request with this Idempotency-Key is still being processed; retry after it finished',
  );

const keyReused = () =>
  new AppError(
    'unprocessable',
    'idempotency_key_reused',
    'This Idempotency-Key was already used with a different request body',
  );

export const leaseLost = () =>
  new AppError(
    'conflict',
    'idempotency_lease_lost',
    'This request took too long and another request with the same Idempotency-Key took over',
  );

/** Inserting is the lock (G2): exactly one of concurrent duplicates gets the row. */
async function tryInsert(
  db: Db,
  req: IdempotencyRequest,
  opts: IdempotencyOptions,
  lockId: string,
  resourceId: string | null = null,
) {
  const now = opts.clock.now();
  const row = await table(db)
    .insertInto('idempotency_keys')
    .values({
      scope: req.scope,
      key: req.key,
      request_hash: req.requestHash,
      status: 'in_progress',
      response_status: null,
      response_body: null,
      resource_id: resourceId,
      lock_id: lockId,
      locked_at: now,
      created_at: now,
      expires_at: new Date(now.getTime() + opts.retentionHours * 3_600_000),
    })
    .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
    .returning('lock_id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Takes over an `in_progress` row whose holder's lease ran out: a conditional update on the old
 * fencing token, so of several would-be takers only one wins. Returns the new claim's resource id
 * (what the stale run recorded) or `undefined` when the row was not stale or someone else won.
 */
export async function takeOverStale(
  db: Db,
  target: { scope: string; key: string; resourceId?: string },
  opts: Pick<IdempotencyOptions, 'clock' | 'leaseMs'>,
  newLockId: string,
): Promise<{ resourceId: string | null } | undefined> {
  const now = opts.clock.now();
  let q = table(db)
    .updateTable('idempotency_keys')
    .set({ lock_id: newLockId, locked_at: now })
    .where('scope', '=', target.scope)
    .where('key', '=', target.key)
    .where('status', '=', 'in_progress')
    .where('locked_at', '<', new Date(now.getTime() - opts.leaseMs));
  if (target.resourceId !== undefined) q = q.where('resource_id', '=', target.resourceId);
  const row = await q.returning('resource_id').executeTakeFirst();
  return row ? { resourceId: row.resource_id } : undefined;
}

/** Deletes an `in_progress` row this holder owns: the run failed and is not recorded. */
export async function releaseKey(db: Db, target: { scope: string; key: string; lockId: string }) {
  await table(db)
    .deleteFrom('idempotency_keys')
    .where('scope', '=', target.scope)
    .where('key', '=', target.key)
    .where('lock_id', '=', target.lockId)
    .where('status', '=', 'in_progress')
    .execute();
}

function makeClaim(req: IdempotencyRequest, lockId: string): IdempotencyClaim {
  let completed = false;
  const owned = (db: Db) =>
    table(db)
      .updateTable('idempotency_keys')
      .where('scope', '=', req.scope)
      .where('key', '=', req.key)
      .where('lock_id', '=', lockId)
      .where('status', '=', 'in_progress');
  return {
    scope: req.scope,
    key: req.key,
    lockId,
    get completed() {
      return completed;
    },
    async setResource(db, resourceId) {
      const r = await owned(db).set({ resource_id: resourceId }).executeTakeFirst();
      if (r.numUpdatedRows === 0n) throw leaseLost();
    },
    async complete(db, response) {
      const r = await owned(db)
        .set({
          status: 'completed',
          response_status: response.status,
          response_body: JSON.stringify(response.body),
        })
        .executeTakeFirst();
      if (r.numUpdatedRows === 0n) throw leaseLost();
      completed = true;
    },
  };
}

/**
 * Runs `run` at most once per (scope, key) and body, replaying its stored response afterwards.
 * `run` returns the response to store (or stores it itself with `claim.complete(tx, …)` inside its
 * final transaction); if it throws, nothing is recorded and the error propagates.
 */
export async function withIdempotency<P = undefined>(
  db: Db,
  req: IdempotencyRequest,
  opts: IdempotencyOptions,
  run: (claim: IdempotencyClaim, prepared: P | undefined) => Promise<StoredResponse>,
  hooks: IdempotencyHooks<P> = {},
): Promise<IdempotentResult> {
  if (!IDEMPOTENCY_KEY_RE.test(req.key))
    throw new AppError(
      'validation',
      'validation_failed',
      'Idempotency-Key must be 1-255 printable characters',
      {
        fields: [{ path: 'headers.idempotency-key', message: 'must be 1-255 printable ASCII characters' }],
      },
    );
  const lockId = newId();
  let acquired = false;
  let prepared: Prepared<P> | undefined;
  // A few rounds: the row we conflicted with may vanish (released or expired) before we read it.
  for (let round = 0; round < 3 && !acquired; round++) {
    if (!hooks.prepare) {
      if (await tryInsert(db, req, opts, lockId)) {
        acquired = true;
        break;
      }
    }
    const existing = await table(db)
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('scope', '=', req.scope)
      .where('key', '=', req.key)
      .executeTakeFirst();
    if (!existing) {
      if (!hooks.prepare) continue;
      // A new key: prepare (nothing recorded if it throws), then claim and write in one commit.
      prepared ??= await hooks.prepare();
      const p = prepared;
      acquired = await inTransaction(db, async (tx) => {
        if (!(await tryInsert(tx, req, opts, lockId, p.resourceId))) return false;
        await p.write(tx);
        return true;
      });
      continue;
    }
    const now = opts.clock.now();
    if (new Date(existing.expires_at) <= now) {
      // Past its retention but not purged yet: the key is free again.
      await table(db)
        .deleteFrom('idempotency_keys')
        .where('scope', '=', req.scope)
        .where('key', '=', req.key)
        .where('expires_at', '<=', now)
        .execute();
      continue;
    }
    if (existing.request_hash !== req.requestHash) throw keyReused();
    if (existing.status === 'completed')
      return {
        replayed: true,
        response: { status: existing.response_status ?? 200, body: existing.response_body },
      };
    const stale = await takeOverStale(db, req, opts, lockId);
    if (!stale) throw keyInUse();
    await hooks.recover?.(stale);
    if (hooks.prepare) {
      prepared ??= await hooks.prepare();
      const p = prepared;
      await inTransaction(db, async (tx) => {
        await makeClaim(req, lockId).setResource(tx, p.resourceId);
        await p.write(tx);
      });
    }
    acquired = true;
  }
  if (!acquired) throw keyInUse();

  const claim = makeClaim(req, lockId);
  let response: StoredResponse;
  try {
    response = await run(claim, prepared?.value);
  } catch (err) {
    try {
      await releaseKey(db, { ...req, lockId });
    } catch (releaseErr) {
      // Not hidden: reported, and the lease frees the key for a retry after `leaseMs`.
      hooks.onReleaseError?.(releaseErr);
    }
    throw err;
  }
  if (!claim.completed) await claim.complete(db, response);
  return { replayed: false, response };
}

/** Runs `fn` in a transaction of `db`, or inside `db` itself when it already is one. */
async function inTransaction<R>(db: Db, fn: (tx: AnyTransaction) => Promise<R>): Promise<R> {
  if (db.isTransaction) return fn(db as AnyTransaction);
  return transaction(db as Kysely<unknown>, fn);
}

/** Purge job body: deletes keys past their retention in one bounded batch; returns how many. */
export async function purgeExpiredIdempotencyKeys(db: Db, now: Date, batchSize: number): Promise<number> {
  const result = await table(db)
    .deleteFrom('idempotency_keys')
    .where((eb) =>
      eb(
        eb.refTuple('scope', 'key'),
        'in',
        eb
          .selectFrom('idempotency_keys as b')
          .select(['b.scope', 'b.key'])
          .where('b.expires_at', '<', now)
          .orderBy('b.expires_at')
          .limit(batchSize)
          .$asTuple('scope', 'key'),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Reads a key's row (operations, tests). */
export async function findIdempotencyKey(db: Db, scope: string, key: string) {
  return table(db)
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('scope', '=', scope)
    .where('key', '=', key)
    .executeTakeFirst();
}
