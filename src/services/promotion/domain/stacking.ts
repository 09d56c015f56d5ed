import type { PromotionRule } from './promotion.js';

type Ranked = Pick<PromotionRule, 'id' | 'priority' | 'stackable' | 'createdAt'>;

/** Application order: higher priority first, then the older rule, then the id — a total order. */
export function byPrecedence(a: Ranked, b: Ranked): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  const age = a.createdAt.getTime() - b.createdAt.getTime();
  if (age !== 0) return age;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Which of the eligible promotions apply (PM-P1-01), deterministically: the first by precedence
 * decides. An exclusive one applies alone; a stackable one applies together with every other
 * stackable one (in precedence order, each on what the earlier left), and exclusive ones lose.
 */
export function resolveStacking<T extends Ranked>(eligible: readonly T[]): { applied: T[]; lost: T[] } {
  const sorted = [...eligible].sort(byPrecedence);
  const first = sorted[0];
  if (!first) return { applied: [], lost: [] };
  if (!first.stackable) return { applied: [first], lost: sorted.slice(1) };
  return { applied: sorted.filter((p) => p.stackable), lost: sorted.filter((p) => !p.stackable) };
}

type Scoped = Ranked & Pick<PromotionRule, 'currency' | 'startsAt' | 'endsAt'>;

const overlaps = (a: Scoped, b: Scoped): boolean =>
  (a.startsAt === null || b.endsAt === null || a.startsAt.getTime() < b.endsAt.getTime()) &&
  (b.startsAt === null || a.endsAt === null || b.startsAt.getTime() < a.endsAt.getTime());

/**
 * Promotions `rule` conflicts with (reported at create/update as 409): another live promotion that
 * can apply to the same cart — overlapping validity windows and a common currency (a rule without
 * currency applies to every currency) — at the SAME priority, where at least one of the two is
 * exclusive. Precedence would then hinge on creation order only; the admin must say which one
 * wins by giving them different priorities (or making both stackable).
 */
export function findConflicts<T extends Scoped>(rule: Scoped, others: readonly T[]): T[] {
  return others
    .filter(
      (o) =>
        o.id !== rule.id &&
        o.priority === rule.priority &&
        (!o.stackable || !rule.stackable) &&
        (o.currency === null || rule.currency === null || o.currency === rule.currency) &&
        overlaps(rule, o),
    )
    .sort(byPrecedence);
}
