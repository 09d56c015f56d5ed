import type { Clock } from '../../../platform/clock.js';
import { actorId, type Ctx } from '../../../platform/context.js';
import { validationFailed } from '../../../platform/errors/app-error.js';
import type { ShippingOptionInput, ShippingOptionRow } from '../data/shipping-option.repository.js';
import { shippingOptionRepository as repo } from '../data/shipping-option.repository.js';
import type { RatesDeps } from './shipping-rates.js';

/** The offered options as operators manage them (PUT /admin/shipping-options/{id}). */

export const OPTION_ID_RE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Rules the table's constraints also hold, checked first so the operator gets field errors, not a 500. */
function validateOption(option: ShippingOptionInput): void {
  const fields = [];
  if (!OPTION_ID_RE.test(option.id) || option.id.length > 64)
    fields.push({ path: 'params.id', message: "lower-case words of letters and digits joined by '-', ≤ 64" });
  if (option.kind === 'flat' && option.per_kg_amount !== 0n)
    fields.push({ path: 'body.perKgAmount', message: 'a flat option has no per-kg amount' });
  if (option.max_days < option.min_days)
    fields.push({ path: 'body.maxDays', message: 'must be at least minDays' });
  if (fields.length > 0) throw validationFailed('The shipping option is not valid.', fields);
}

/**
 * Creates or replaces an option in one statement; right after the commit this process forgets
 * every cached option answer, so the next `cached: true` read sees the change (other replicas
 * within SHIPPING_OPTIONS_CACHE_TTL_SECONDS).
 */
export async function putShippingOption(
  ctx: Ctx,
  deps: RatesDeps & { clock: Clock },
  option: ShippingOptionInput,
): Promise<ShippingOptionRow> {
  validateOption(option);
  const saved = await deps.db.transaction().execute((tx) => repo.upsert(tx, option, deps.clock.now()));
  deps.optionCache.clear();
  ctx.logger.info({ option: saved.id, active: saved.active, actor: actorId(ctx) }, 'shipping option set');
  return saved;
}
