import { type Insertable, type Kysely, sql, type Transaction } from 'kysely';
import { newId } from '../../../platform/ids.js';
import type { AuditEvent } from '../domain/audit.js';
import type { CustomerStatus } from '../domain/customer.js';
import type { TokenPurpose } from '../domain/token.js';
import type { CustomerDB, CustomerRow, CustomersTable } from './tables.js';

type Db = Kysely<CustomerDB>;
type Tx = Transaction<CustomerDB>;

/** Accounts, their roles, one-time tokens and the audit log. Reads take an optional transaction. */
export const customerRepository = {
  findById: (db: Db, id: string): Promise<CustomerRow | undefined> =>
    db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst(),

  findByEmail: (db: Db, email: string): Promise<CustomerRow | undefined> =>
    db.selectFrom('customers').selectAll().where('email', '=', email).executeTakeFirst(),

  /** Locks the row for the rest of the transaction (status changes, erasure). */
  lockById: (tx: Tx, id: string): Promise<CustomerRow | undefined> =>
    tx.selectFrom('customers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

  findByIds: (db: Db, ids: readonly string[]): Promise<CustomerRow[]> =>
    ids.length === 0
      ? Promise.resolve([])
      : db.selectFrom('customers').selectAll().where('id', 'in', ids).execute(),

  /** Inserts unless the email is taken; false on a conflict (the unique key decides). */
  async insert(tx: Tx, row: Insertable<CustomersTable>): Promise<boolean> {
    const inserted = await tx
      .insertInto('customers')
      .values(row)
      .onConflict((oc) => oc.column('email').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  },

  /** Keyset page, newest first; filters by status and exact (normalized) email. */
  list(
    db: Db,
    o: {
      limit: number;
      beforeId?: string | undefined;
      status?: CustomerStatus | undefined;
      email?: string | undefined;
    },
  ) {
    let q = db.selectFrom('customers').selectAll().orderBy('id', 'desc').limit(o.limit);
    if (o.beforeId) q = q.where('id', '<', o.beforeId);
    if (o.status) q = q.where('status', '=', o.status);
    if (o.email) q = q.where('email', '=', o.email);
    return q.execute();
  },

  /**
   * Counts a failed login in one statement; locks when the count reaches the limit and restarts
   * the count for after the lock (C2). Returns whether this failure locked the account.
   */
  async recordFailure(db: Db, id: string, maxFailures: number, lockUntil: Date, now: Date): Promise<boolean> {
    const reached = sql<boolean>`failed_attempts + 1 >= ${maxFailures}`;
    const row = await db
      .updateTable('customers')
      .set({
        failed_attempts: sql`CASE WHEN ${reached} THEN 0 ELSE failed_attempts + 1 END`,
        locked_until: sql`CASE WHEN ${reached} THEN ${lockUntil}::timestamptz ELSE locked_until END`,
      })
      .where('id', '=', id)
      // A failure that raced a lock being set must not extend or reset it.
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .returning('locked_until')
      .executeTakeFirst();
    return row?.locked_until !== null && row?.locked_until !== undefined && row.locked_until > now;
  },

  async resetFailures(db: Db, id: string): Promise<void> {
    await db
      .updateTable('customers')
      .set({ failed_attempts: 0, locked_until: null })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('failed_attempts', '>', 0), eb('locked_until', 'is not', null)]))
      .execute();
  },

  async rolesOf(db: Db, ids: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return out;
    const rows = await db
      .selectFrom('customer_roles')
      .select(['customer_id', 'role'])
      .where('customer_id', 'in', ids)
      .orderBy('role')
      .execute();
    for (const r of rows) out.get(r.customer_id)?.push(r.role);
    return out;
  },

  async permissionsOf(db: Db, roles: readonly string[]): Promise<string[]> {
    if (roles.length === 0) return [];
    const rows = await db
      .selectFrom('role_permissions')
      .select('permission')
      .distinct()
      .where('role', 'in', roles)
      .orderBy('permission')
      .execute();
    return rows.map((r) => r.permission);
  },

  async knownRoles(db: Db, roles: readonly string[]): Promise<Set<string>> {
    if (roles.length === 0) return new Set();
    const rows = await db.selectFrom('roles').select('name').where('name', 'in', roles).execute();
    return new Set(rows.map((r) => r.name));
  },

  async replaceRoles(tx: Tx, id: string, roles: readonly string[]): Promise<void> {
    await tx.deleteFrom('customer_roles').where('customer_id', '=', id).execute();
    if (roles.length > 0)
      await tx
        .insertInto('customer_roles')
        .values([...new Set(roles)].map((role) => ({ customer_id: id, role })))
        .execute();
  },

  async insertToken(
    tx: Tx,
    t: { customerId: string; purpose: TokenPurpose; hash: string; now: Date; expiresAt: Date },
  ): Promise<string> {
    const id = newId();
    await tx
      .insertInto('customer_tokens')
      .values({
        id,
        customer_id: t.customerId,
        purpose: t.purpose,
        token_hash: t.hash,
        created_at: t.now,
        expires_at: t.expiresAt,
        used_at: null,
      })
      .execute();
    return id;
  },

  findToken: (db: Db, purpose: TokenPurpose, hash: string) =>
    db
      .selectFrom('customer_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .where('purpose', '=', purpose)
      .executeTakeFirst(),

  /** Single use: only one of two concurrent redemptions wins. */
  async consumeToken(tx: Tx, id: string, now: Date): Promise<boolean> {
    const r = await tx
      .updateTable('customer_tokens')
      .set({ used_at: now })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  },

  /** Every other open token of that purpose stops working too (a newer reset supersedes). */
  async retireTokens(tx: Tx, customerId: string, purpose: TokenPurpose, now: Date): Promise<void> {
    await tx
      .updateTable('customer_tokens')
      .set({ used_at: now })
      .where('customer_id', '=', customerId)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .execute();
  },

  async audit(
    db: Db,
    e: { customerId: string; event: AuditEvent; actor: string; now: Date; detail?: Record<string, unknown> },
  ): Promise<void> {
    await db
      .insertInto('audit_log')
      .values({
        id: newId(),
        customer_id: e.customerId,
        event: e.event,
        actor: e.actor.slice(0, 100),
        detail: JSON.stringify(e.detail ?? {}),
        occurred_at: e.now,
      })
      .execute();
  },

  auditOf: (db: Db, customerId: string, limit: number) =>
    db
      .selectFrom('audit_log')
      .select(['id', 'event', 'actor', 'detail', 'occurred_at'])
      .where('customer_id', '=', customerId)
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),
};
