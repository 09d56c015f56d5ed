import type { Ctx } from '../../../platform/context.js';
import { AppError, notFound } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import { newId } from '../../../platform/ids.js';
import {
  type PromotionRow,
  promotionRepository as promotions,
  toRule,
} from '../data/promotion.repository.js';
import { usageRepository as usage } from '../data/usage.repository.js';
import { type RuleInput, validateRule } from '../domain/promotion.js';
import { findConflicts } from '../domain/stacking.js';
import type { PromotionDeps } from './deps.js';

const isUniqueViolation = (err: unknown) => (err as { code?: string } | undefined)?.code === '23505';

const invalid = (fields: { path: string; message: string }[]) =>
  new AppError('validation', 'invalid_promotion', fields.map((f) => `${f.path} ${f.message}`).join('; '), {
    fields,
  });

/** Segment conditions need the customer service's segments; without them they cannot be honoured. */
function checkSegments(deps: PromotionDeps, rule: RuleInput): void {
  if ((rule.conditions.segments?.length ?? 0) > 0 && !deps.segments)
    throw new AppError(
      'validation',
      'segments_unavailable',
      'Customer segments are not available in this deployment; a promotion cannot be bound to segments',
      { fields: [{ path: 'body.conditions.segments', message: 'segments are unavailable' }] },
    );
}

/** 409 with the conflicting promotions (PM-P1-01). Runs under the priority's lock. */
async function checkConflicts(
  tx: Parameters<typeof promotions.atPriority>[0],
  id: string,
  rule: RuleInput,
): Promise<void> {
  const others = (await promotions.atPriority(tx, rule.priority)).filter((r) => r.id !== id);
  const conflicts = findConflicts({ ...rule, id, createdAt: new Date(0) }, others.map(toRule));
  if (conflicts.length > 0)
    throw new AppError(
      'conflict',
      'promotion_conflict',
      `The promotion conflicts with ${conflicts.length} promotion(s) at priority ${rule.priority}: give it another priority or make both stackable`,
      {
        extra: {
          conflicts: conflicts.map((c) => ({
            id: c.id,
            code: c.code,
            name: c.name,
            priority: c.priority,
            stackable: c.stackable,
          })),
        },
      },
    );
}

const codeTaken = (code: string | null, err: unknown) =>
  new AppError('conflict', 'promotion_code_taken', `The code ${code} is already used by another promotion`, {
    cause: err,
  });

export async function createPromotion(
  _ctx: Ctx,
  deps: PromotionDeps,
  rule: RuleInput,
): Promise<PromotionRow> {
  const errors = validateRule(rule, { fixedMaxAmount: deps.fixedMaxAmount });
  if (errors.length > 0) throw invalid(errors);
  checkSegments(deps, rule);
  const id = newId();
  try {
    const row = await transaction(deps.db, async (tx) => {
      await promotions.lockPriority(tx, rule.priority);
      await checkConflicts(tx, id, rule);
      return promotions.insert(tx, id, rule, deps.clock.now());
    });
    deps.rulesCache.clear();
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) throw codeTaken(rule.code, err);
    throw err;
  }
}

/** PATCH: `change` merged onto the stored rule, validated whole, conflict-checked, optimistic on the version. */
export async function updatePromotion(
  _ctx: Ctx,
  deps: PromotionDeps,
  id: string,
  change: (current: RuleInput) => RuleInput,
): Promise<PromotionRow> {
  const row = await promotions.find(deps.db, id);
  if (!row) throw notFound('Promotion', id);
  const { id: _id, createdAt: _c, ...current } = toRule(row);
  const rule = change(current);
  const errors = validateRule(rule, { fixedMaxAmount: deps.fixedMaxAmount });
  if (errors.length > 0) throw invalid(errors);
  checkSegments(deps, rule);
  if (rule.usageLimit !== null && rule.usageLimit < row.uses)
    throw new AppError(
      'conflict',
      'usage_limit_below_uses',
      `The promotion is already used ${row.uses} time(s); the limit cannot go below that`,
    );
  if (rule.budget !== null && rule.budget < row.discount_used)
    throw new AppError(
      'conflict',
      'budget_below_used',
      `The promotion already gave ${row.discount_used} minor units; the budget cannot go below that`,
    );
  try {
    const updated = await transaction(deps.db, async (tx) => {
      // Both priorities: the rule leaves one and joins the other.
      for (const p of [...new Set([row.priority, rule.priority])].sort((a, b) => a - b))
        await promotions.lockPriority(tx, p);
      await checkConflicts(tx, id, rule);
      const saved = await promotions.update(tx, id, row.version, rule, deps.clock.now());
      if (!saved)
        throw new AppError('conflict', 'conflict', 'The promotion changed meanwhile; reload it and retry');
      return saved;
    });
    deps.rulesCache.clear();
    return updated;
  } catch (err) {
    if (isUniqueViolation(err)) throw codeTaken(rule.code, err);
    // A reservation raced the new limit or budget: the CHECK refused it.
    if ((err as { code?: string } | undefined)?.code === '23514')
      throw new AppError(
        'conflict',
        'usage_limit_below_uses',
        'The limit or budget is below the current usage',
        {
          cause: err,
        },
      );
    throw err;
  }
}

export async function getPromotion(deps: PromotionDeps, id: string): Promise<PromotionRow> {
  const row = await promotions.find(deps.db, id);
  if (!row) throw notFound('Promotion', id);
  return row;
}

/** DELETE: the rule stops applying at once; its redemptions and stats stay (soft delete). */
export async function deletePromotion(_ctx: Ctx, deps: PromotionDeps, id: string): Promise<void> {
  if (!(await promotions.softDelete(deps.db, id, deps.clock.now()))) throw notFound('Promotion', id);
  deps.rulesCache.clear();
}

export async function promotionStats(deps: PromotionDeps, id: string) {
  const row = await getPromotion(deps, id);
  return { row, stats: await usage.stats(deps.db, id) };
}
