import type { FieldError } from '../../../platform/errors/app-error.js';
import { amountSchema, currencySchema, INT8_MAX } from '../../../platform/money.js';

/**
 * Price changes as pure planning (PR-P1-01, PR-P1-03): validate one requested change, decide
 * whether it is an override, and work out what happens to the stored rows of its series
 * (sku, currency) — which row is closed, which continues after a bounded window, which would
 * overlap. The repository carries the plan out; nothing here touches the database.
 */
export const PRICE_SOURCES = ['manual', 'bulk', 'override'] as const;
export type PriceSource = (typeof PRICE_SOURCES)[number];

/** Same rule as catalog skus (stored upper-case); a price can only exist for a catalog sku. */
export const SKU_RE = /^[A-Z0-9][A-Z0-9._-]{0,63}$/;

export const normalizeSku = (raw: string): string | undefined => {
  const sku = raw.trim().toUpperCase();
  return SKU_RE.test(sku) ? sku : undefined;
};

export interface StoredPrice {
  id: string;
  sku: string;
  currency: string;
  amount: bigint;
  effectiveFrom: Date;
  /** null: open-ended, in effect until a later price closes it. */
  effectiveTo: Date | null;
  source: PriceSource;
  createdBy: string;
  createdAt: Date;
}

export interface PriceChange {
  sku: string;
  currency: string;
  amount: bigint;
  from: Date;
  to: Date | null;
}

/** A change as it arrives (PUT body or one bulk row): strings, checked here. */
export interface PriceChangeInput {
  sku?: string | undefined;
  amount?: string | undefined;
  currency?: string | undefined;
  effectiveFrom?: string | undefined;
  effectiveTo?: string | undefined;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const ISO_DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseInstant(value: string | undefined, path: string, errors: FieldError[]): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const date = ISO_DATETIME_RE.test(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    errors.push({ path, message: `must be an ISO 8601 date-time with offset, got ${JSON.stringify(value)}` });
    return undefined;
  }
  return date;
}

/** Validates a change; `effectiveFrom` defaults to `now` (the change applies immediately). */
export function parsePriceChange(input: PriceChangeInput, now: Date): Parsed<PriceChange> {
  const errors: FieldError[] = [];
  const got = (value: string | undefined) => (value === undefined ? 'nothing' : JSON.stringify(value));
  const sku = normalizeSku(input.sku ?? '');
  if (!sku)
    errors.push({
      path: 'sku',
      message: `must be 1-64 letters, digits, '.', '_' or '-', got ${got(input.sku)}`,
    });
  // The same rules as a PUT body's (platform/money.ts): exact digits, a currency of the table.
  const amount = amountSchema.safeParse(input.amount).success ? BigInt(input.amount!) : undefined;
  if (amount === undefined)
    errors.push({
      path: 'amount',
      message: `must be integer minor units from 0 to ${INT8_MAX} as a string (e.g. "2500" for 25.00), got ${got(input.amount)}`,
    });
  const currency = input.currency ?? '';
  if (!currencySchema.safeParse(currency).success)
    errors.push({
      path: 'currency',
      message: `must be an ISO 4217 currency code such as USD, got ${got(input.currency)}`,
    });
  const from = parseInstant(input.effectiveFrom, 'effectiveFrom', errors);
  const to = parseInstant(input.effectiveTo, 'effectiveTo', errors);
  const start = from ?? now;
  if (to && to.getTime() <= start.getTime())
    errors.push({
      path: 'effectiveTo',
      message: 'must be after effectiveFrom (or after now when it is omitted)',
    });
  if (errors.length > 0 || !sku || amount === undefined) return { ok: false, errors };
  return { ok: true, value: { sku, currency, amount, from: start, to: to ?? null } };
}

/**
 * What makes a change an override (PR-P1-03), which needs `pricing:override`, `override: true`
 * and a reason, and is audited:
 * - `backdated`: it starts before now, so it rewrites a past that orders may already have been
 *   priced with (omit effectiveFrom to mean "now");
 * - `free`: it sets the price to zero, giving the product away.
 */
export type OverrideCondition = 'backdated' | 'free';

export function overrideConditions(change: PriceChange, now: Date): OverrideCondition[] {
  const conditions: OverrideCondition[] = [];
  if (change.from.getTime() < now.getTime()) conditions.push('backdated');
  if (change.amount === 0n) conditions.push('free');
  return conditions;
}

export interface PricePlan {
  /** The row in effect at `change.from` before the change (its amount is the event's oldPrice). */
  previous: StoredPrice | undefined;
  /** Rows whose window is cut short at `change.from` (effective_to set; nothing else changes). */
  close: { id: string; to: Date }[];
  /** When a bounded change falls inside a longer price, that price resumes after it. */
  resume: { amount: bigint; from: Date; to: Date | null; source: PriceSource } | undefined;
  /** Rows starting inside the new window: refused rather than silently replaced. */
  conflicts: StoredPrice[];
}

const after = (a: Date | null, b: Date): boolean => a === null || a.getTime() > b.getTime();

/**
 * Plans `change` against the rows of its series that end after `change.from` (older rows are
 * history and stay untouched). The rows never overlap each other (database trigger), so at most
 * one of them contains `change.from`.
 */
export function planPriceChange(rows: readonly StoredPrice[], change: PriceChange): PricePlan {
  const plan: PricePlan = { previous: undefined, close: [], resume: undefined, conflicts: [] };
  for (const row of rows) {
    if (!after(row.effectiveTo, change.from)) continue;
    if (row.effectiveFrom.getTime() < change.from.getTime()) {
      plan.previous = row;
      plan.close.push({ id: row.id, to: change.from });
      if (change.to !== null && after(row.effectiveTo, change.to))
        plan.resume = { amount: row.amount, from: change.to, to: row.effectiveTo, source: row.source };
    } else if (change.to === null || row.effectiveFrom.getTime() < change.to.getTime()) {
      plan.conflicts.push(row);
    }
  }
  plan.conflicts.sort((a, b) => a.effectiveFrom.getTime() - b.effectiveFrom.getTime());
  return plan;
}

/** The message for a refused overlap: names the scheduled price and how to fit around it. */
export function overlapMessage(change: PriceChange, conflicts: readonly StoredPrice[]): string {
  const first = conflicts[0]!;
  const window = `${first.effectiveFrom.toISOString()} to ${first.effectiveTo?.toISOString() ?? 'open end'}`;
  return (
    `overlaps the ${change.currency} price ${first.amount} scheduled from ${window}; ` +
    `set effectiveTo no later than ${first.effectiveFrom.toISOString()}`
  );
}
