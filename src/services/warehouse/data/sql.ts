import { type RawBuilder, sql } from 'kysely';

/**
 * Raw-SQL helpers for the statements Kysely's builder cannot express well (UPDATE … FROM (VALUES …),
 * conditional upserts, keyset row comparisons). Raw SQL is not rewritten by `withSchema`, so table
 * names carry the service's schema explicitly: the schema is the service name (module contract).
 */
export const SCHEMA = 'warehouse';

export const table = (name: string): RawBuilder<unknown> => sql.table(`${SCHEMA}.${name}`);

/** `(VALUES (…), (…))` from rows already rendered as `sql` tuples. */
export const values = (rows: RawBuilder<unknown>[]): RawBuilder<unknown> => sql`(VALUES ${sql.join(rows)})`;

/** Calendar day (UTC) of a timestamp, as the `date` text PostgreSQL reads. */
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);
