import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add,
  amountSchema,
  CURRENCIES,
  convert,
  currencyExponent,
  currencySchema,
  divideRounded,
  fromJson,
  INT8_MAX,
  isCurrency,
  MoneyError,
  money,
  multiply,
  percentageBps,
  subtract,
  sum,
  toJson,
} from './money.js';

describe('money', () => {
  it('adds, subtracts and multiplies exactly', () => {
    expect(add(money(1999, 'USD'), money(1, 'USD'))).toEqual({ amount: 2000n, currency: 'USD' });
    expect(subtract(money(100, 'EUR'), money(250, 'EUR')).amount).toBe(-150n);
    expect(multiply(money(333, 'USD'), 3).amount).toBe(999n);
  });

  it('keeps large quantities exact and refuses amounts beyond int8', () => {
    const price = money(9_999_999_999n, 'USD');
    expect(multiply(price, 1_000_000).amount).toBe(9_999_999_999_000_000n);
    expect(() => multiply(money(INT8_MAX, 'USD'), 2)).toThrow(/out of range/);
    expect(() => add(money(INT8_MAX, 'USD'), money(1, 'USD'))).toThrow(/out of range/);
  });

  it('refuses mixing currencies and non-integer input', () => {
    expect(() => add(money(1, 'USD'), money(1, 'EUR'))).toThrow(/USD with EUR/);
    expect(() => money(1.5, 'USD')).toThrow(/safe integer/);
    expect(() => money('12.5', 'USD')).toThrow(/integer/);
    expect(() => money(1, 'usd')).toThrow(/currency/);
    expect(() => multiply(money(1, 'USD'), 0.5)).toThrow(/integer/);
  });

  it('rounds percentages half away from zero', () => {
    expect(percentageBps(money(1000, 'USD'), 825).amount).toBe(83n); // 82.5 → 83
    expect(percentageBps(money(1001, 'USD'), 825).amount).toBe(83n); // 82.58 → 83
    expect(percentageBps(money(999, 'USD'), 825).amount).toBe(82n); // 82.41 → 82
    expect(divideRounded(-5n, 2n)).toBe(-3n);
  });

  it('converts between currencies with different exponents', () => {
    expect(convert(money(10_000, 'USD'), 'EUR', '0.92')).toEqual({ amount: 9200n, currency: 'EUR' });
    expect(convert(money(1999, 'USD'), 'JPY', '151.37')).toEqual({ amount: 3026n, currency: 'JPY' });
    expect(convert(money(500, 'JPY'), 'USD', '0.0066')).toEqual({ amount: 330n, currency: 'USD' });
    expect(convert(money(1000, 'USD'), 'KWD', '0.3071')).toEqual({ amount: 3071n, currency: 'KWD' });
    expect(() => convert(money(1, 'USD'), 'EUR', '1e3')).toThrow(/decimal/);
    expect(() => convert(money(1, 'USD'), 'EUR', '0')).toThrow(/greater than zero/);
  });

  it('round-trips through JSON as integer strings', () => {
    const m = money(9_007_199_254_740_993n, 'USD');
    expect(toJson(m)).toEqual({ amount: '9007199254740993', currency: 'USD' });
    expect(fromJson(toJson(m))).toEqual(m);
  });

  it('sums line totals exactly whatever the order (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            unit: fc.bigInt({ min: 0n, max: 10n ** 9n }),
            qty: fc.integer({ min: 1, max: 10_000 }),
          }),
          {
            maxLength: 50,
          },
        ),
        (lines) => {
          const totals = lines.map((l) => multiply(money(l.unit, 'USD'), l.qty));
          const forward = sum(totals, 'USD');
          const backward = sum([...totals].reverse(), 'USD');
          const expected = lines.reduce((acc, l) => acc + l.unit * BigInt(l.qty), 0n);
          return forward.amount === expected && backward.amount === expected;
        },
      ),
    );
  });

  it('rounds percentages to within half a minor unit of the exact value (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.integer({ min: 0, max: 10_000 }),
        (amount, bps) => {
          const result = percentageBps(money(amount, 'USD'), bps).amount;
          const exactTimes10000 = amount * BigInt(bps);
          const diff = result * 10_000n - exactTimes10000;
          return diff <= 5_000n && diff >= -5_000n;
        },
      ),
    );
  });
});

describe('money as it enters', () => {
  it.each(['0', '1', '2500', '9223372036854775807'])('accepts the amount %j', (amount) => {
    expect(amountSchema.safeParse(amount).success).toBe(true);
  });

  it.each([
    ' 100',
    '100 ',
    '\t1',
    '1\n',
    '+1',
    '-1',
    '01',
    '1.5',
    '1e3',
    '',
    '١٢',
    '9223372036854775808',
    1500,
  ])('refuses the amount %j with one error', (amount) => {
    const result = amountSchema.safeParse(amount);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
  });

  it('knows the ISO 4217 currencies and their minor-unit exponents', () => {
    for (const code of ['USD', 'EUR', 'GBP', 'CHF', 'JPY', 'KWD', 'CLF']) expect(isCurrency(code)).toBe(true);
    for (const code of ['ZZZ', 'XXX', 'XAU', 'usd', 'US', 'USDD', ' USD'])
      expect(isCurrency(code)).toBe(false);
    expect([
      currencyExponent('USD'),
      currencyExponent('JPY'),
      currencyExponent('KWD'),
      currencyExponent('CLF'),
    ]).toEqual([2, 0, 3, 4]);
    expect(() => currencyExponent('ZZZ')).toThrow(MoneyError);
    expect(CURRENCIES.length).toBeGreaterThan(150);
    expect(CURRENCIES.every((c) => /^[A-Z]{3}$/.test(c))).toBe(true);
  });

  it('refuses unknown currencies in schemas and arithmetic alike', () => {
    expect(currencySchema.safeParse('USD').success).toBe(true);
    expect(currencySchema.safeParse('ZZZ').success).toBe(false);
    expect(currencySchema.safeParse('usd').error?.issues).toHaveLength(1);
    expect(() => money(1n, 'ZZZ')).toThrow(MoneyError);
  });
});
