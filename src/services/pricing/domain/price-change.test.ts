import { describe, expect, it } from 'vitest';
import {
  overrideConditions,
  type PriceChange,
  parsePriceChange,
  planPriceChange,
  type StoredPrice,
} from './price-change.js';

const now = new Date('2025-06-01T12:00:00Z');
const at = (h: number) => new Date(now.getTime() + h * 3_600_000);
const stored = (id: string, amount: bigint, from: Date, to: Date | null): StoredPrice => ({
  id,
  sku: 'A',
  currency: 'USD',
  amount,
  effectiveFrom: from,
  effectiveTo: to,
  source: 'manual',
  createdBy: 'admin:x',
  createdAt: now,
});
const change = (from: Date, to: Date | null, amount = 50n): PriceChange => ({
  sku: 'A',
  currency: 'USD',
  amount,
  from,
  to,
});

describe('parsePriceChange', () => {
  it('normalizes the sku and defaults effectiveFrom to now', () => {
    expect(parsePriceChange({ sku: ' mug-1 ', amount: '2500', currency: 'USD' }, now)).toEqual({
      ok: true,
      value: { sku: 'MUG-1', currency: 'USD', amount: 2500n, from: now, to: null },
    });
  });

  it('names every bad field with what it got', () => {
    const parsed = parsePriceChange(
      {
        sku: 'a b',
        amount: '-1',
        currency: 'usd',
        effectiveFrom: 'tomorrow',
        effectiveTo: '2020-01-01T00:00:00Z',
      },
      now,
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.path)).toEqual([
      'sku',
      'amount',
      'currency',
      'effectiveFrom',
      'effectiveTo',
    ]);
    expect(parsed.errors[1]!.message).toContain('"-1"');
  });

  it('refuses amounts beyond int8 and accepts the largest one', () => {
    expect(parsePriceChange({ sku: 'A', amount: '9223372036854775808', currency: 'USD' }, now).ok).toBe(
      false,
    );
    expect(parsePriceChange({ sku: 'A', amount: '9223372036854775807', currency: 'USD' }, now).ok).toBe(true);
  });
});

describe('overrideConditions (PR-P1-03)', () => {
  it('flags backdated and free prices only', () => {
    expect(overrideConditions(change(now, null), now)).toEqual([]);
    expect(overrideConditions(change(at(-1), null, 0n), now)).toEqual(['backdated', 'free']);
  });
});

describe('planPriceChange (PR-P1-01)', () => {
  it('closes the open price at the new start and keeps older history untouched', () => {
    const rows = [stored('old', 10n, at(-10), at(-5)), stored('cur', 20n, at(-5), null)];
    expect(planPriceChange(rows, change(now, null))).toEqual({
      previous: rows[1],
      close: [{ id: 'cur', to: now }],
      resume: undefined,
      conflicts: [],
    });
  });

  it('resumes the longer price after a bounded window inside it', () => {
    const rows = [stored('cur', 20n, at(-5), at(10))];
    expect(planPriceChange(rows, change(at(1), at(2))).resume).toEqual({
      amount: 20n,
      from: at(2),
      to: at(10),
      source: 'manual',
    });
  });

  it('reports prices scheduled inside the new window as conflicts, not replacements', () => {
    const rows = [stored('cur', 20n, at(-5), at(3)), stored('next', 30n, at(3), null)];
    const plan = planPriceChange(rows, change(at(1), null));
    expect(plan.conflicts.map((r) => r.id)).toEqual(['next']);
    expect(planPriceChange(rows, change(at(1), at(3))).conflicts).toEqual([]);
  });
});
