import { actorId, type Ctx } from '../../../platform/context.js';
import { AppError, type FieldError, notFound, validationFailed } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import { newId } from '../../../platform/ids.js';
import { money, toJson } from '../../../platform/money.js';
import { hasPermission } from '../../../platform/security/principal.js';
import { type NewOverrideRow, type NewPriceRow, priceRepository as repo } from '../data/price.repository.js';
import {
  normalizeSku,
  type OverrideCondition,
  overlapMessage,
  overrideConditions,
  type PriceChange,
  type PriceChangeInput,
  type PriceSource,
  parsePriceChange,
  planPriceChange,
  type StoredPrice,
} from '../domain/price-change.js';
import type { PricingDeps } from './deps.js';

export const OVERRIDE_PERMISSION = 'pricing:override';
export const REASON_MAX = 500;

export interface SetPriceInput {
  amount: string;
  currency: string;
  effectiveFrom?: string | undefined;
  effectiveTo?: string | undefined;
  override?: boolean | undefined;
  reason?: string | undefined;
}

export interface BulkRowResult {
  row: number;
  sku: string;
  status: 'ok' | 'error';
  error?: string;
}

interface Entry {
  row: number;
  change: PriceChange;
  productId: string | null;
  source: PriceSource;
  override?: { conditions: OverrideCondition[]; reason: string };
}

type Outcome = { ok: StoredPrice } | { error: string };

/** PR-P1-03: people need the permission; the platform's own actors (seed, jobs) are trusted code. */
const mayOverride = (ctx: Ctx): boolean =>
  ctx.actor?.type === 'system' ||
  (ctx.actor !== undefined && hasPermission(ctx.actor.permissions, OVERRIDE_PERMISSION));

const describe = (errors: readonly FieldError[]): string =>
  errors.map((e) => `${e.path} ${e.message}`).join('; ');

/**
 * Sets one price (PUT /admin/prices/{sku}). An override — see `overrideConditions` — must say so
 * (`override: true`), give a reason and come from someone holding `pricing:override`; it is
 * stored with source `override` and audited in `price_overrides`.
 */
export async function setPrice(
  ctx: Ctx,
  deps: PricingDeps,
  sku: string,
  input: SetPriceInput,
): Promise<StoredPrice> {
  const now = deps.clock.now();
  const parsed = parsePriceChange({ ...input, sku }, now);
  if (!parsed.ok)
    throw validationFailed(
      'The price is not valid; see errors for each field.',
      parsed.errors.map((e) => ({
        path: e.path === 'sku' ? 'params.sku' : `body.${e.path}`,
        message: e.message,
      })),
    );
  const change = parsed.value;
  const conditions = overrideConditions(change, now);
  const reason = input.reason?.trim();
  if (input.override) {
    if (!mayOverride(ctx))
      throw new AppError(
        'forbidden',
        'forbidden',
        `Price overrides need the permission ${OVERRIDE_PERMISSION}`,
      );
    if (!reason || reason.length > REASON_MAX)
      throw validationFailed('An override needs a reason.', [
        { path: 'body.reason', message: `is required with override: 1-${REASON_MAX} characters` },
      ]);
  } else {
    if (reason !== undefined)
      throw validationFailed('A reason is only recorded for overrides.', [
        { path: 'body.reason', message: 'is only allowed with override: true' },
      ]);
    if (conditions.length > 0)
      throw new AppError(
        'unprocessable',
        'override_required',
        `This change is an override (${conditions.join(', ')}): send override: true with a reason; ` +
          `it needs the permission ${OVERRIDE_PERMISSION}`,
        { extra: { conditions } },
      );
  }
  const [product] = await deps.catalog.getProductsBySku([change.sku]);
  if (!product) throw notFound('Product with sku', change.sku);
  const entry: Entry = {
    row: 1,
    change,
    productId: product.id,
    source: input.override ? 'override' : 'manual',
    ...(input.override ? { override: { conditions, reason: reason! } } : {}),
  };
  const outcome = (await applyChanges(ctx, deps, [entry], now)).get(1)!;
  if ('error' in outcome)
    throw new AppError('conflict', 'price_window_overlap', `The price ${outcome.error}`);
  return outcome.ok;
}

/** At most this many rows per bulk request (JSON items or CSV data lines). */
export const MAX_BULK_ROWS = 1000;

/**
 * PR-P1-02: applies every good row and reports every bad one, in row order (1-based). Checks are
 * batched: one catalog call for all skus, then one transaction whose statements each cover all
 * rows. Overrides are single, reasoned changes, so a row that would be one is refused here.
 */
export async function bulkSetPrices(
  ctx: Ctx,
  deps: PricingDeps,
  items: readonly PriceChangeInput[],
): Promise<{ results: BulkRowResult[]; applied: number; failed: number }> {
  const now = deps.clock.now();
  const results = new Map<number, BulkRowResult>();
  const fail = (row: number, sku: string, error: string) =>
    results.set(row, { row, sku, status: 'error', error });
  const candidates: { row: number; change: PriceChange }[] = [];
  const seen = new Map<string, number>();
  for (const [i, item] of items.entries()) {
    const row = i + 1;
    const error = rowError(item, now, seen, row);
    if (typeof error === 'string') fail(row, normalizeSku(item.sku ?? '') ?? item.sku ?? '', error);
    else candidates.push({ row, change: error.change });
  }

  const products = await deps.catalog.getProductsBySku([...new Set(candidates.map((c) => c.change.sku))]);
  const productIds = new Map(products.map((p) => [p.sku, p.id]));
  const entries: Entry[] = [];
  for (const c of candidates) {
    const productId = productIds.get(c.change.sku);
    if (productId === undefined)
      fail(c.row, c.change.sku, `unknown sku ${c.change.sku}: no such product in the catalog`);
    else entries.push({ ...c, productId, source: 'bulk' });
  }
  const outcomes = await applyChanges(ctx, deps, entries, now);
  for (const e of entries) {
    const outcome = outcomes.get(e.row)!;
    if ('error' in outcome) fail(e.row, e.change.sku, outcome.error);
    else results.set(e.row, { row: e.row, sku: e.change.sku, status: 'ok' });
  }
  const ordered = [...results.values()].sort((a, b) => a.row - b.row);
  const applied = ordered.filter((r) => r.status === 'ok').length;
  ctx.logger.info({ rows: ordered.length, applied, actor: actorId(ctx) }, 'bulk price update');
  return { results: ordered, applied, failed: ordered.length - applied };
}

/** A bulk row's own problem (format, override, duplicate), or its parsed change; records the series as seen. */
function rowError(
  item: PriceChangeInput,
  now: Date,
  seen: Map<string, number>,
  row: number,
): string | { change: PriceChange } {
  const parsed = parsePriceChange(item, now);
  if (!parsed.ok) return describe(parsed.errors);
  const change = parsed.value;
  const conditions = overrideConditions(change, now);
  if (conditions.length > 0)
    return `would be an override (${conditions.join(', ')}); set it alone with PUT /admin/prices/${change.sku}, override: true and a reason`;
  const key = JSON.stringify([change.sku, change.currency]);
  const earlier = seen.get(key);
  if (earlier !== undefined)
    return `${change.sku} in ${change.currency} is already set by row ${earlier} of this request`;
  seen.set(key, row);
  return { change };
}

/**
 * One transaction for all entries (each a different series): lock the series, read their open
 * rows, plan, then close, insert, audit and publish — each a single statement over all entries
 * except the outbox rows, which the platform writes one per event. The cache forgets the skus
 * only after the commit.
 */
async function applyChanges(
  ctx: Ctx,
  deps: PricingDeps,
  entries: readonly Entry[],
  now: Date,
): Promise<Map<number, Outcome>> {
  const outcomes = new Map<number, Outcome>();
  if (entries.length === 0) return outcomes;
  const actor = actorId(ctx);
  await transaction(deps.db, async (tx) => {
    const keys = entries.map((e) => ({ sku: e.change.sku, currency: e.change.currency }));
    await repo.lockSeries(tx, keys);
    const since = new Date(Math.min(...entries.map((e) => e.change.from.getTime())));
    const bySeries = new Map<string, StoredPrice[]>();
    for (const row of await repo.openRows(tx, keys, since)) {
      const key = JSON.stringify([row.sku, row.currency]);
      bySeries.set(key, [...(bySeries.get(key) ?? []), row]);
    }
    const closes: { id: string; to: Date }[] = [];
    const inserts: NewPriceRow[] = [];
    const overrides: NewOverrideRow[] = [];
    const events: { entry: Entry; previous: StoredPrice | undefined; price: NewPriceRow }[] = [];
    for (const entry of entries) {
      const { change } = entry;
      const plan = planPriceChange(bySeries.get(JSON.stringify([change.sku, change.currency])) ?? [], change);
      if (plan.conflicts.length > 0) {
        outcomes.set(entry.row, { error: overlapMessage(change, plan.conflicts) });
        continue;
      }
      closes.push(...plan.close);
      const price: NewPriceRow = { id: newId(), ...change, source: entry.source, createdBy: actor, now };
      inserts.push(price);
      if (plan.resume)
        inserts.push({
          id: newId(),
          sku: change.sku,
          currency: change.currency,
          ...plan.resume,
          createdBy: actor,
          now,
        });
      if (entry.override)
        overrides.push({
          id: newId(),
          priceId: price.id,
          sku: change.sku,
          currency: change.currency,
          oldAmount: plan.previous?.amount ?? null,
          newAmount: change.amount,
          from: change.from,
          conditions: entry.override.conditions,
          reason: entry.override.reason,
          actor,
          now,
        });
      events.push({ entry, previous: plan.previous, price });
      outcomes.set(entry.row, {
        ok: {
          id: price.id,
          sku: change.sku,
          currency: change.currency,
          amount: change.amount,
          effectiveFrom: change.from,
          effectiveTo: change.to,
          source: entry.source,
          createdBy: actor,
          createdAt: now,
        },
      });
    }
    await repo.closeRows(tx, closes);
    await repo.insertPrices(tx, inserts);
    await repo.insertOverrides(tx, overrides);
    for (const { entry, previous, price } of events) {
      // G3: the event commits with the price or not at all.
      await tx.publish('pricing.price.changed', price.sku, {
        sku: price.sku,
        productId: entry.productId,
        oldPrice: previous ? toJson(money(previous.amount, price.currency)) : null,
        newPrice: toJson(money(price.amount, price.currency)),
        effectiveFrom: price.from.toISOString(),
        effectiveTo: price.to?.toISOString() ?? null,
        occurredAt: now.toISOString(),
      });
    }
  });
  deps.cache.invalidateSkus(entries.map((e) => e.change.sku));
  // A bulk request logs one summary line (bulkSetPrices); the rows themselves are the history.
  if (entries.length === 1)
    for (const entry of entries) {
      const outcome = outcomes.get(entry.row);
      if (outcome && 'ok' in outcome)
        ctx.logger.info(
          {
            sku: entry.change.sku,
            currency: entry.change.currency,
            priceId: outcome.ok.id,
            source: entry.source,
            actor,
            ...(entry.override ? { override: entry.override.conditions } : {}),
          },
          'price set',
        );
    }
  return outcomes;
}
