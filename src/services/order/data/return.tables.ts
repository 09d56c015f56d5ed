/** Kysely types of the returns tables (data/migrations/0005_returns.sql). Column names as in SQL. */
// biome-ignore lint/suspicious/noEmptyInterface: filled by the returns migration
export interface ReturnTables {}
