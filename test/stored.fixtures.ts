import { sql } from 'kysely';
import type { Database } from '../src/platform/db/database.js';

/**
 * What the bad-input test (bad-input.fuzz.test.ts) compares before and after: the rows of every
 * service table, and how many stored strings hold U+FFFD — what a lone surrogate becomes when a
 * driver writes it to `text` (U+0000 cannot be stored at all). Platform bookkeeping that moves on
 * its own (outbox relay, inbox, scheduler runs, sessions touched by token checks) is left out of
 * the row counts but not out of the text check. Not a test file itself.
 */
const MOVES_ON_ITS_OWN = /outbox|inbox|dead_letter|dlq|job|schedule|lock|compensation|migration|session/;

export interface StoredSnapshot {
  rows: Record<string, number>;
  replacementChars: Record<string, number>;
}

export async function storedSnapshot(database: Database): Promise<StoredSnapshot> {
  const columns = await sql<{
    table_schema: string;
    table_name: string;
    column_name: string;
    data_type: string;
  }>`
    select c.table_schema, c.table_name, c.column_name, c.data_type
    from information_schema.columns c
    join information_schema.tables t
      on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema not in ('pg_catalog', 'information_schema') and c.table_schema not like 'pg_%'
    order by 1, 2, 3`.execute(database.root);
  const tables = new Map<string, string[]>();
  for (const c of columns.rows) {
    const key = `${c.table_schema}.${c.table_name}`;
    const textual = ['text', 'character varying', 'jsonb', 'json'].includes(c.data_type);
    tables.set(key, [...(tables.get(key) ?? []), ...(textual ? [c.column_name] : [])]);
  }
  const snapshot: StoredSnapshot = { rows: {}, replacementChars: {} };
  for (const [key, textColumns] of tables) {
    const [schema, table] = key.split('.') as [string, string];
    const ref = sql.table(`${schema}.${table}`);
    if (!MOVES_ON_ITS_OWN.test(table)) {
      const { rows } = await sql<{ n: string }>`select count(*) as n from ${ref}`.execute(database.root);
      snapshot.rows[key] = Number(rows[0]!.n);
    }
    for (const column of textColumns) {
      const col = sql.ref(column);
      const { rows } = await sql<{ n: string }>`
        select count(*) as n from ${ref} where strpos(${col}::text, chr(65533)) > 0`.execute(database.root);
      const n = Number(rows[0]!.n);
      if (n > 0) snapshot.replacementChars[`${key}.${column}`] = n;
    }
  }
  return snapshot;
}
