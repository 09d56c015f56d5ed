import { z } from 'zod';

/**
 * Integers as the database stores them (G8): a request integer carries the range of the column it
 * lands in, so the OpenAPI document shows it and an out-of-range value is a 400, never
 * PostgreSQL's "out of range for type integer" as a 500. Tighter domain bounds chain on
 * (`positiveInt4().max(999)`).
 */
export const INT4_MIN = -2_147_483_648;
export const INT4_MAX = 2_147_483_647;

/** Any `integer` (int4) column value. */
export const int4 = () => z.number().int().min(INT4_MIN).max(INT4_MAX);
/** Versions, quantities, counts that start at 1 (int4). */
export const positiveInt4 = () => z.number().int().min(1).max(INT4_MAX);
/** Stock levels, thresholds, counters that may be 0 (int4). */
export const nonNegativeInt4 = () => z.number().int().min(0).max(INT4_MAX);
