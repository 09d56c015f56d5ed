import type { Insertable, Kysely, Transaction } from 'kysely';
import type { PrincipalType } from '../../../platform/security/principal.js';
import type { AuthDB, RefreshTokenRow, RefreshTokensTable, SessionRow, SessionsTable } from './tables.js';

export interface PrincipalRef {
  type: PrincipalType;
  id: string;
}

/** Sessions and refresh tokens of the auth schema. */
export interface SessionRepository {
  transaction<T>(work: (trx: Transaction<AuthDB>) => Promise<T>): Promise<T>;
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
  revokeAllOf(principal: PrincipalRef, reason: string, now: Date): Promise<number>;
  /** Live sessions of a principal, newest first. */
  liveSessionsOf(principal: PrincipalRef, now: Date): Promise<SessionRow[]>;
}

export function createSessionRepository(db: Kysely<AuthDB>): SessionRepository {
  return {
    transaction: (work) => db.transaction().execute(work),

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

    async revokeAllOf(principal, reason, now) {
      const result = await db
        .updateTable('sessions')
        .set({ revoked_at: now, revoke_reason: reason })
        .where('principal_type', '=', principal.type)
        .where('principal_id', '=', principal.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
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
  };
}
