import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INT8_MAX, type Money, money } from '../../../platform/money.js';
import { convertExact, type ExchangeRate, pairRate } from './exchange.js';
import { buildQuote, priceBook, resolveUnitPrice } from './quote.js';

const now = new Date('2025-06-01T12:00:00Z');
const at = (offsetHours: number) => new Date(now.getTime() + offsetHours * 3_600_000);
const HOUR = 3_600_000;

describe('quote arithmetic (PR-P0-03)', () => {
  it('the subtotal is the sum of the lines, each unit × quantity, exactly', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            sku: fc.constantFrom('A', 'B', 'C', 'D'),
            quantity: fc.integer({ min: 1, max: 1_000_000 }),
          }),
          { maxLength: 20 },
        ),
        fc.dictionary(fc.constantFrom('A', 'B', 'C'), fc.bigInt({ min: 0n, max: 10n ** 11n })),
        (items, prices) => {
          const units = new Map<string, Money>(Object.entries(prices).map(([s, a]) => [s, money(a, 'USD')]));
          const quote = buildQuote(items, 'USD', units, (i) => i.sku);
          expect(quote.subtotal.amount).toBe(quote.lines.reduce((acc, l) => acc + l.lineTotal.amount, 0n));
          for (const line of quote.lines)
            expect(line.lineTotal.amount).toBe(line.unitPrice.amount * BigInt(line.quantity));
          const priced = items.filter((i) => units.has(i.sku));
          expect(quote.lines.map((l) => l.sku)).toEqual(priced.map((i) => i.sku));
          expect(new Set(quote.missing)).toEqual(
            new Set(items.filter((i) => !units.has(i.sku)).map((i) => i.sku)),
          );
        },
      ),
    );
  });

  it('refuses a line or a subtotal beyond the int8 range instead of wrapping', () => {
    const units = new Map([['A', money(INT8_MAX / 2n + 1n, 'USD')]]);
    expect(() => buildQuote([{ sku: 'A', quantity: 2 }], 'USD', units, (i) => i.sku)).toThrow(/out of range/);
    const half = new Map([['A', money(INT8_MAX / 2n, 'USD')]]);
    expect(() =>
      buildQuote(
        [
          { sku: 'A', quantity: 1 },
          { sku: 'A', quantity: 1 },
          { sku: 'A', quantity: 1 },
        ],
        'USD',
        half,
        (i) => i.sku,
      ),
    ).toThrow(/out of range/);
  });

  it('refuses quantities that are not positive whole numbers', () => {
    for (const quantity of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1])
      expect(() => buildQuote([{ sku: 'A', quantity }], 'USD', new Map(), (i) => i.sku)).toThrow(
        /positive whole/,
      );
  });
});

describe('conversion (PR-P0-02)', () => {
  const rate = (r: string): ExchangeRate => ({ base: 'USD', quote: 'EUR', rate: r, fetchedAt: now });

  it('a round trip through a rate and its exact inverse stays within the rounding bound', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 11n }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 6 }),
        (amount, digits, scale) => {
          const text = String(digits);
          const r =
            scale === 0 ? text : `${text.slice(0, -scale) || '0'}.${text.slice(-scale).padStart(scale, '0')}`;
          const there = pairRate([rate(r)], 'USD', 'EUR')!;
          const back = pairRate([rate(r)], 'EUR', 'USD')!;
          const eur = convertExact(money(amount, 'USD'), 'EUR', there.fraction);
          const usd = convertExact(eur, 'USD', back.fraction);
          const diff = usd.amount > amount ? usd.amount - amount : amount - usd.amount;
          // |back − x| ≤ 1/(2r) + 1/2, i.e. 2·num·|diff| ≤ den + num for r = num/den.
          const { numerator, denominator } = there.fraction;
          expect(2n * numerator * diff <= denominator + numerator).toBe(true);
        },
      ),
    );
  });

  it('uses the inverse as an exact fraction and adjusts minor-unit exponents', () => {
    const inverse = pairRate([rate('0.8')], 'EUR', 'USD')!;
    expect(convertExact(money(1000n, 'EUR'), 'USD', inverse.fraction)).toEqual({
      amount: 1250n,
      currency: 'USD',
    });
    const jpy: ExchangeRate = { base: 'USD', quote: 'JPY', rate: '151.25', fetchedAt: now };
    expect(convertExact(money(1999n, 'USD'), 'JPY', pairRate([jpy], 'USD', 'JPY')!.fraction)).toEqual({
      amount: 3023n, // 19.99 × 151.25 = 3023.4875 → 3023 yen
      currency: 'JPY',
    });
  });

  it('takes the fresher of the direct and the inverse pair', () => {
    const direct = { base: 'USD', quote: 'EUR', rate: '0.5', fetchedAt: at(-3) };
    const inverse = { base: 'EUR', quote: 'USD', rate: '4', fetchedAt: at(-1) };
    const chosen = pairRate([direct, inverse], 'USD', 'EUR')!;
    expect(chosen.pair).toBe('EUR/USD');
    expect(chosen.fraction).toEqual({ numerator: 1n, denominator: 4n });
  });
});

describe('resolving the price in effect', () => {
  const rows = [
    { sku: 'A', currency: 'USD', amount: 100n, effectiveFrom: at(-10), effectiveTo: at(2) },
    { sku: 'A', currency: 'USD', amount: 120n, effectiveFrom: at(2), effectiveTo: null },
    { sku: 'B', currency: 'EUR', amount: 1000n, effectiveFrom: at(-1), effectiveTo: null },
    { sku: 'C', currency: 'USD', amount: 5n, effectiveFrom: at(5), effectiveTo: null },
  ];
  const book = priceBook(rows, now);

  it('applies the row whose window holds now, and notes when it will change', () => {
    expect(book.get('A')).toEqual({ current: new Map([['USD', 100n]]), changesAt: at(2) });
    expect(book.get('C')).toEqual({ current: new Map(), changesAt: at(5) });
    expect(resolveUnitPrice(book.get('C'), 'USD', [], now, HOUR)).toEqual({
      kind: 'missing',
      changesAt: at(5),
    });
  });

  it('prefers the requested currency, converts otherwise, and reports a stale rate', () => {
    const fresh: ExchangeRate = { base: 'USD', quote: 'EUR', rate: '0.8', fetchedAt: at(-0.5) };
    expect(resolveUnitPrice(book.get('B'), 'EUR', [fresh], now, HOUR)).toMatchObject({
      unit: { amount: 1000n },
    });
    expect(resolveUnitPrice(book.get('B'), 'USD', [fresh], now, HOUR)).toMatchObject({
      kind: 'priced',
      unit: { amount: 1250n, currency: 'USD' },
      rateFetchedAt: fresh.fetchedAt,
    });
    const stale = { ...fresh, fetchedAt: at(-2) };
    expect(resolveUnitPrice(book.get('B'), 'USD', [stale], now, HOUR)).toMatchObject({
      kind: 'stale',
      rate: { pair: 'USD/EUR' },
    });
    expect(resolveUnitPrice(book.get('B'), 'GBP', [fresh], now, HOUR)).toMatchObject({ kind: 'missing' });
  });
});
