import { describe, expect, it } from 'vitest';
import { computeDiscount, type EvalContext, evaluatePromotions, type RuleWithUsage } from './evaluate.js';
import { emptyRule, validateRule } from './promotion.js';
import { findConflicts, resolveStacking } from './stacking.js';

const at = new Date('2026-06-01T12:00:00Z');
let seq = 0;
const rule = (over: Partial<RuleWithUsage> = {}): RuleWithUsage => ({
  id: `00000000-0000-7000-8000-${String(++seq).padStart(12, '0')}`,
  ...emptyRule('percentage', 'r'),
  value: 10n,
  createdAt: new Date(at.getTime() - seq * 1000),
  usage: { uses: 0, discountUsed: 0n, customerUses: 0 },
  ...over,
});
const lines = [
  { lineId: 'a', sku: 'A', category: 'mugs', quantity: 1, unitPrice: 333n, lineTotal: 333n },
  { lineId: 'b', sku: 'B', category: 'cups', quantity: 3, unitPrice: 111n, lineTotal: 333n },
  { lineId: 'c', sku: 'C', category: null, quantity: 1, unitPrice: 334n, lineTotal: 334n },
];
const ctx = (over: Partial<EvalContext> = {}): EvalContext => ({
  currency: 'USD',
  now: at,
  customerId: null,
  firstOrder: false,
  segmentIds: null,
  lines,
  shipping: 500n,
  codes: [],
  ...over,
});

describe('computeDiscount (PM-P0-02: exact, never above the line)', () => {
  const full = lines.map((l) => l.lineTotal);
  it.each([
    { name: '10% of 1000 spread exactly', r: rule({ value: 10n }), lines: [33n, 33n, 34n], shipping: 0n },
    { name: '100% is the whole line', r: rule({ value: 100n }), lines: [333n, 333n, 334n], shipping: 0n },
    { name: '0% is nothing', r: rule({ value: 0n }), lines: [0n, 0n, 0n], shipping: 0n },
    {
      name: 'fixed 1 unit goes to the largest remainder',
      r: rule({ type: 'fixed', value: 1n }),
      lines: [0n, 0n, 1n],
      shipping: 0n,
    },
    {
      name: 'fixed above the order is capped',
      r: rule({ type: 'fixed', value: 5000n }),
      lines: [333n, 333n, 334n],
      shipping: 0n,
    },
    {
      name: 'sku condition selects the lines',
      r: rule({ value: 50n, conditions: { skus: ['A'] } }),
      lines: [166n, 0n, 0n],
      shipping: 0n,
    },
    {
      name: 'category selects too',
      r: rule({ type: 'fixed', value: 100n, conditions: { categories: ['cups'] } }),
      lines: [0n, 100n, 0n],
      shipping: 0n,
    },
    {
      name: 'free shipping',
      r: rule({ type: 'free_shipping', value: 0n }),
      lines: [0n, 0n, 0n],
      shipping: 500n,
    },
    {
      name: 'buy 2 get 1 free, per line',
      r: rule({ type: 'buy_x_get_y', value: 100n, buyQuantity: 2, getQuantity: 1 }),
      lines: [0n, 111n, 0n],
      shipping: 0n,
    },
    {
      name: 'buy 1 get 1 half price',
      r: rule({ type: 'buy_x_get_y', value: 50n, buyQuantity: 1, getQuantity: 1 }),
      lines: [0n, 55n, 0n],
      shipping: 0n,
    },
  ])('$name', ({ r, lines: expected, shipping }) => {
    const split = computeDiscount(r, lines, full, 500n);
    expect(split).toEqual({ lines: expected, shipping });
    for (const [i, d] of split.lines.entries()) expect(d).toBeLessThanOrEqual(full[i]!);
  });
});

describe('validateRule', () => {
  const limits = { fixedMaxAmount: 10_000n };
  const { id: _i, createdAt: _c, usage: _u, ...base } = rule();
  it.each([
    { name: 'percentage 101', over: { value: 101n }, path: 'body.value' },
    { name: 'percentage -1', over: { value: -1n }, path: 'body.value' },
    {
      name: 'fixed above the maximum',
      over: { type: 'fixed' as const, value: 10_001n, currency: 'USD' },
      path: 'body.value',
    },
    { name: 'fixed without currency', over: { type: 'fixed' as const, value: 100n }, path: 'body.currency' },
    { name: 'budget without currency', over: { budget: 100n }, path: 'body.currency' },
    { name: 'window ends before it starts', over: { startsAt: at, endsAt: at }, path: 'body.endsAt' },
    {
      name: 'bxgy without quantities',
      over: { type: 'buy_x_get_y' as const, value: 100n },
      path: 'body.buyQuantity',
    },
  ])('refuses $name', ({ over, path }) => {
    expect(validateRule({ ...base, ...over }, limits).map((e) => e.path)).toContain(path);
  });
  it('accepts 0 and 100 percent and the maximum fixed amount', () => {
    expect(validateRule({ ...base, value: 0n }, limits)).toEqual([]);
    expect(validateRule({ ...base, value: 100n }, limits)).toEqual([]);
    expect(validateRule({ ...base, type: 'fixed', value: 10_000n, currency: 'USD' }, limits)).toEqual([]);
  });
});

describe('stacking resolution (PM-P1-01), table-driven', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const p = (id: string, priority: number, stackable: boolean, age = 0) => ({
    id,
    priority,
    stackable,
    createdAt: new Date(t0.getTime() + age),
  });
  it.each([
    { name: 'nothing eligible', input: [], applied: [], lost: [] },
    {
      name: 'exclusive on top applies alone',
      input: [p('s', 1, true), p('x', 5, false)],
      applied: ['x'],
      lost: ['s'],
    },
    {
      name: 'stackable on top stacks with stackables',
      input: [p('x', 1, false), p('s1', 5, true), p('s2', 3, true)],
      applied: ['s1', 's2'],
      lost: ['x'],
    },
    {
      name: 'two exclusives: higher priority wins',
      input: [p('a', 1, false), p('b', 2, false)],
      applied: ['b'],
      lost: ['a'],
    },
    {
      name: 'same priority: the older wins',
      input: [p('new', 2, false, 10), p('old', 2, false, 0)],
      applied: ['old'],
      lost: ['new'],
    },
    {
      name: 'same priority and age: the lower id wins',
      input: [p('b', 2, false), p('a', 2, false)],
      applied: ['a'],
      lost: ['b'],
    },
  ])('$name', ({ input, applied, lost }) => {
    const r = resolveStacking(input);
    expect(r.applied.map((x) => x.id)).toEqual(applied);
    expect(r.lost.map((x) => x.id)).toEqual(lost);
    // Deterministic whatever the input order.
    expect(resolveStacking([...input].reverse()).applied.map((x) => x.id)).toEqual(applied);
  });

  it('reports conflicts: same priority, overlapping window, common currency, one exclusive', () => {
    const a = rule({ priority: 3 });
    const stack = rule({ priority: 3, stackable: true });
    const other = rule({ priority: 4 });
    const eur = rule({ priority: 3, currency: 'EUR' });
    const later = rule({ priority: 3, startsAt: new Date('2027-01-01T00:00:00Z') });
    const candidate = { ...rule({ priority: 3, currency: 'USD', endsAt: new Date('2026-12-31T00:00:00Z') }) };
    // Not `other` (another priority), `eur` (another currency) nor `later` (windows apart).
    expect(
      findConflicts(candidate, [a, stack, other, eur, later])
        .map((c) => c.id)
        .sort(),
    ).toEqual([a.id, stack.id].sort());
    expect(findConflicts({ ...candidate, stackable: true }, [stack])).toEqual([]);
  });
});

describe('evaluatePromotions', () => {
  it('reports each refused code with a stable reason, applies automatic ones silently', () => {
    const expired = rule({ code: 'OLD', endsAt: new Date(at.getTime() - 1) });
    const full = rule({ code: 'FULL', usageLimit: 1, usage: { uses: 1, discountUsed: 0n, customerUses: 0 } });
    const min = rule({ code: 'BIG', currency: 'USD', conditions: { minSubtotal: 5000n } });
    const mine = rule({ code: 'MINE', perCustomerLimit: 1 });
    const auto = rule({ priority: 10, stackable: true, value: 10n });
    const e = evaluatePromotions(
      [expired, full, min, mine, auto],
      ctx({ codes: ['OLD', 'FULL', 'BIG', 'MINE', 'NOPE'] }),
    );
    expect(e.refused).toEqual([
      { code: 'NOPE', reason: 'unknown_code' },
      { code: 'OLD', reason: 'expired' },
      { code: 'FULL', reason: 'limit_reached' },
      { code: 'BIG', reason: 'condition_not_met', condition: 'min_subtotal' },
      { code: 'MINE', reason: 'sign_in_required' },
    ]);
    expect(e.applied.map((a) => a.rule.id)).toEqual([auto.id]);
  });

  it('stacks in precedence order, each on what the earlier left, and refuses a budget it would pass', () => {
    const fixed = rule({ priority: 9, stackable: true, type: 'fixed', value: 100n });
    const pct = rule({ priority: 8, stackable: true, value: 50n });
    const broke = rule({ code: 'B', priority: 7, stackable: true, currency: 'USD', budget: 50n, value: 10n });
    const e = evaluatePromotions([pct, fixed, broke], ctx({ codes: ['B'] }));
    expect(e.applied.map((a) => a.rule.id)).toEqual([fixed.id, pct.id]);
    const total = e.applied.flatMap((a) => a.split.lines).reduce((x, y) => x + y, 0n);
    expect(total).toBe(100n + 450n);
    expect(e.refused).toEqual([{ code: 'B', reason: 'budget_exhausted' }]);
  });
});
