import { type Insertable, type Kysely, sql, type Transaction } from 'kysely';
import type { PrincipalType } from '../../../platform/security/principal.js';
import type { AuthDB, RefreshTokenRow, RefreshTokensTable, SessionRow, SessionsTable } from './tables.js';

export interface PrincipalRef {
  type: PrincipalType;
  id: string;
}

/** One principal, or every principal type sharing an id (staff events do not say admin or shipper). */
export interface PrincipalMatch {
  types: readonly PrincipalType[];
  id: string;
}

/** Sessions and refresh tokens of the auth schema. */
export interface SessionRepository {
  transaction<T>(work: (trx: Transaction<AuthDB>) => Promise<T>): Promise<T>;
  /**
   * Serializes logins of one principal until the transaction ends, so concurrent logins cannot
   * both see room under the session limit (advisory lock: no row to lock before the first session).
   */
  lockPrincipal(trx: Transaction<AuthDB>, principal: PrincipalRef): Promise<void>;
  /** Ids of the live sessions of a principal, newest first. */
  liveSessionIds(trx: Transaction<AuthDB>, principal: PrincipalRef, now: Date): Promise<string[]>;
  revokeSessions(
    trx: Transaction<AuthDB>,
    ids: readonly string[],
    reason: string,
    now: Date,
  ): Promise<number>;
  insertSession(trx: Transaction<AuthDB>, row: Insertable<SessionsTable>): Promise<void>;
  insertRefreshToken(trx: Transaction<AuthDB>, row: Insertable<RefreshTokensTable>): Promise<void>;
  findSession(id: string): Promise<SessionRow | undefined>;
  findRefreshToken(tokenHash: string): Promise<{ token: RefreshTokenRow; session: SessionRow } | undefined>;
  /**
   * Marks a refresh token used, only if nobody did before (the conditional update is the lock: of
   * two concurrent refreshes exactly one gets `true`).
   */
  markUsed(trx: Transaction<AuthDB>, tokenId: string, replacedBy: string, now: Date): Promise<boolean>;
  touchSession(trx: Transaction<AuthDB>, id: string, now: Date, expiresAt: Date): Promise<void>;
  /** Revokes one live session; returns false when it was already revoked or unknown. */
  revokeSession(id: string, reason: string, now: Date, owner?: PrincipalRef): Promise<boolean>;
  /** Revokes every live session of the principal(s); inside `trx` when given. */
  revokeAllOf(principal: PrincipalMatch, reason: string, now: Date, trx?: Kysely<AuthDB>): Promise<number>;
  /** Erasure (G10): deletes every session of the principal with its IPs and user agents. */
  deleteAllOf(trx: Transaction<AuthDB>, principal: PrincipalRef): Promise<number>;
  /** Live sessions of a principal, newest first. */
  liveSessionsOf(principal: PrincipalRef, now: Date): Promise<SessionRow[]>;
  /** Deletes up to `limit` sessions matching the cutoff, oldest first; returns how many. */
  deleteBatch(by: 'last_used_at' | 'created_at', before: Date, limit: number): Promise<number>;
}

export function createSessionRepository(db: Kysely<AuthDB>): SessionRepository {
  return {
    transaction: (work) => db.transaction().execute(work),

    async lockPrincipal(trx, principal) {
      const key = `orderline:auth:sessions:${principal.type}:${principal.id}`;
      await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
    },

    async liveSessionIds(trx, principal, now) {
      const rows = await trx
        .selectFrom('sessions')
        .select('id')
        .where('principal_type', '=', principal.type)
        .where('principal_id', '=', principal.id)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map((r) => r.id);
    },

    async revokeSessions(trx, ids, reason, now) {
      if (ids.length === 0) return 0;
      const result = await trx
        .updateTable('sessions')
        .set({ revoked_at: now, revoke_reason: reason })
        .where('id', 'in', ids)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async insertSession(trx, row) {
      await trx.insertInto('sessions').values(row).execute();
    },

    async insertRefreshToken(trx, row) {
      await trx.insertInto('refresh_tokens').values(row).execute();
    },

    findSession: (id) => db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst(),

    async findRefreshToken(tokenHash) {
      const token = await db
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!token) return undefined;
      const session = await db
        .selectFrom('sessions')
        .selectAll()
        .where('id', '=', token.session_id)
        .executeTakeFirstOrThrow();
      return { token, session };
    },

    async markUsed(trx, tokenId, replacedBy, now) {
      const result = await trx
        .updateTable('refresh_tokens')
        .set({ used_at: now, replaced_by: replacedBy })
        .where('id', '=', tokenId)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },

    async touchSession(trx, id, now, expiresAt) {
      await trx
        .updateTable('sessions')
        .set({ last_used_at: now, expires_at: expiresAt })
        .where('id', '=', id)
        .execute();
    },

    async revokeSession(id, reason, now, owner) {
      let query = db
        .updateTable('sessions')
        .set({ revoked_at: now, revoke_reason: reason })
        .where('id', '=', id)
        .where('revoked_at', 'is', null);
      if (owner) query = query.where('principal_type', '=', owner.type).where('principal_id', '=', owner.id);
      const result = await query.executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },

    async revokeAllOf(principal, reason, now, trx = db) {
      if (principal.types.length === 0) return 0;
      const result = await trx
        .updateTable('sessions')
        .set({ revoked_at: now, revoke_reason: reason })
        .where('principal_type', 'in', principal.types)
        .where('principal_id', '=', principal.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async deleteAllOf(trx, principal) {
      const result = await trx
        .deleteFrom('sessions')
        .where('principal_type', '=', principal.type)
        .where('principal_id', '=', principal.id)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    liveSessionsOf: (principal, now) =>
      db
        .selectFrom('sessions')
        .selectAll()
        .where('principal_type', '=', principal.type)
        .where('principal_id', '=', principal.id)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('id', 'desc')
        .execute(),

    async deleteBatch(by, before, limit) {
      // Bounded: the oldest `limit` rows past the cutoff (indexed column); refresh tokens cascade.
      const result = await db
        .deleteFrom('sessions')
        .where(
          'id',
          'in',
          db.selectFrom('sessions').select('id').where(by, '<', before).orderBy(by).limit(limit),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
