import { type RawBuilder, sql } from 'kysely';

/** The schema this service owns (its module name). */
export const SCHEMA = 'analytics';

/** A table of this schema inside raw SQL: `withSchema` does not reach into `sql` templates. */
export const table = (name: string): RawBuilder<unknown> => sql.table(`${SCHEMA}.${name}`);
