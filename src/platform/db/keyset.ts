import { type RawBuilder, type SqlBool, sql } from 'kysely';

/** Where a keyset walk over `(column, id)` stopped: the last row's value and id. */
export interface Keyset {
  at: Date;
  id: string;
}

/**
 * The rows after `key` in `ORDER BY column, id` — the page condition of every bounded job sweep
 * (no OFFSET, no unbounded scan): `column > at OR (column = at AND id > key.id)`, so an index on
 * `(column, id)` serves it and ties on `column` are neither skipped nor repeated.
 */
export function afterKeyset(column: string, key: Keyset): RawBuilder<SqlBool> {
  const c = sql.ref(column);
  return sql<SqlBool>`(${c} > ${key.at} OR (${c} = ${key.at} AND ${sql.ref('id')} > ${key.id}))`;
}
