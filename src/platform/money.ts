import { z } from 'zod';
import { AppError } from './errors/app-error.js';

/**
 * Exact money: integer minor units as bigint with an ISO 4217 code (never floating point). Every
 * result is checked against the int8 range the database stores, so an overflow is a clear error
 * instead of a wrapped or rounded number (seed PR-P0-03).
 */
export interface Money {
  amount: bigint;
  currency: string;
}

/**
 * The ISO 4217 currencies the platform knows, by minor-unit exponent (the active list; metals,
 * testing and "no currency" codes have no minor unit and are not money a store takes). A code
 * outside this table is refused wherever money enters.
 */
const CURRENCIES_BY_EXPONENT: Record<number, string> = {
  0: 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF',
  2:
    'AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
    'CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL ' +
    'GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR ' +
    'LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD ' +
    'PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC ' +
    'SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG',
  3: 'BHD IQD JOD KWD LYD OMR TND',
  4: 'CLF UYW',
};
const EXPONENTS: ReadonlyMap<string, number> = new Map(
  Object.entries(CURRENCIES_BY_EXPONENT).flatMap(([exponent, codes]) =>
    codes.split(' ').map((code) => [code, Number(exponent)] as const),
  ),
);

const CURRENCY_RE = /^[A-Z]{3}$/;
export const INT8_MAX = 9_223_372_036_854_775_807n;
export const INT8_MIN = -9_223_372_036_854_775_808n;

export const isCurrency = (code: string): boolean => EXPONENTS.has(code);
export const CURRENCIES: readonly string[] = [...EXPONENTS.keys()].sort();

export function currencyExponent(currency: string): number {
  const exponent = EXPONENTS.get(currency);
  if (exponent === undefined) throw new MoneyError(`Unknown currency ${currency}`);
  return exponent;
}

const CURRENCY_MESSAGE = 'must be an ISO 4217 currency code such as USD';

/** A currency as it enters (body, query, path): upper case, exactly a code of the table above. */
export const currencySchema = z
  .string()
  .regex(CURRENCY_RE, { message: CURRENCY_MESSAGE, abort: true })
  .refine(isCurrency, CURRENCY_MESSAGE)
  .describe('ISO 4217 currency code, e.g. USD');

/** Canonical non-negative minor units: digits only, no sign, no leading zero, no whitespace. */
const AMOUNT_RE = /^(0|[1-9][0-9]{0,18})$/;
const AMOUNT_MESSAGE = `must be integer minor units from 0 to ${INT8_MAX} as a string of digits, e.g. "2500"`;

/** An amount as it enters: exact digits (no whitespace, sign or leading zeros) within int8. */
export const amountSchema = z
  .string()
  .regex(AMOUNT_RE, { message: AMOUNT_MESSAGE, abort: true })
  .refine((text) => BigInt(text) <= INT8_MAX, AMOUNT_MESSAGE)
  .describe('Integer minor units as a string of digits, e.g. "2500" is 25.00 USD');

/** Money on the wire: `{ amount: "1999", currency: "USD" }` (integer minor units as a string). */
export const moneySchema = z.object({
  amount: z.string().regex(/^-?\d{1,19}$/, 'integer minor units as a string'),
  currency: currencySchema,
});
export type MoneyJson = z.infer<typeof moneySchema>;

export class MoneyError extends AppError {
  constructor(detail: string) {
    super('unprocessable', 'money_out_of_range', detail);
  }
}

function checked(amount: bigint, currency: string): Money {
  if (amount > INT8_MAX || amount < INT8_MIN)
    throw new MoneyError(`Amount ${amount} ${currency} is out of range`);
  return { amount, currency };
}

export function money(amount: bigint | number | string, currency: string): Money {
  if (!isCurrency(currency)) throw new MoneyError(`Invalid currency ${currency}`);
  if (typeof amount === 'number' && !Number.isSafeInteger(amount))
    throw new MoneyError(`Amount ${amount} is not a safe integer of minor units`);
  if (typeof amount === 'string' && !/^-?\d+$/.test(amount))
    throw new MoneyError(`Amount ${amount} is not an integer of minor units`);
  return checked(BigInt(amount), currency);
}

export const zero = (currency: string): Money => money(0n, currency);

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency)
    throw new AppError('internal', 'currency_mismatch', `Cannot combine ${a.currency} with ${b.currency}`);
}

export function add(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return checked(a.amount + b.amount, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return checked(a.amount - b.amount, a.currency);
}

export function multiply(m: Money, quantity: number | bigint): Money {
  if (typeof quantity === 'number' && !Number.isSafeInteger(quantity))
    throw new MoneyError(`Quantity ${quantity} is not an integer`);
  return checked(m.amount * BigInt(quantity), m.currency);
}

export function sum(items: readonly Money[], currency: string): Money {
  return items.reduce((acc, m) => add(acc, m), zero(currency));
}

/** Integer division rounding half away from zero. */
export function divideRounded(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new AppError('internal', 'division_by_zero', 'Division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n * 2n + d) / (2n * d);
  return negative ? -q : q;
}

/** A share in basis points (1/100 of a percent), e.g. tax 825 = 8.25 %, rounded half up. */
export function percentageBps(m: Money, bps: number): Money {
  if (!Number.isInteger(bps) || bps < 0)
    throw new MoneyError(`Rate ${bps} bps is not a non-negative integer`);
  return checked(divideRounded(m.amount * BigInt(bps), 10_000n), m.currency);
}

/**
 * A decimal rate as an exact fraction: "1.0856" → 10856/10000. Rates never pass through a
 * float, so conversion is reproducible to the minor unit.
 */
export function parseDecimal(rate: string): { numerator: bigint; denominator: bigint } {
  const match = /^(\d{1,12})(?:\.(\d{1,12}))?$/.exec(rate);
  if (!match) throw new MoneyError(`Rate ${rate} is not a positive decimal`);
  const fraction = match[2] ?? '';
  const numerator = BigInt(match[1]! + fraction);
  if (numerator === 0n) throw new MoneyError('Rate must be greater than zero');
  return { numerator, denominator: 10n ** BigInt(fraction.length) };
}

/** Converts with `rate` units of `to` per unit of `from`, adjusting minor-unit exponents, half up. */
export function convert(m: Money, to: string, rate: string): Money {
  if (!isCurrency(to)) throw new MoneyError(`Invalid currency ${to}`);
  const { numerator, denominator } = parseDecimal(rate);
  const shift = currencyExponent(to) - currencyExponent(m.currency);
  const scaledNum = shift >= 0 ? numerator * 10n ** BigInt(shift) : numerator;
  const scaledDen = shift < 0 ? denominator * 10n ** BigInt(-shift) : denominator;
  return checked(divideRounded(m.amount * scaledNum, scaledDen), to);
}

export const toJson = (m: Money): MoneyJson => ({ amount: m.amount.toString(), currency: m.currency });
export const fromJson = (m: MoneyJson): Money => money(m.amount, m.currency);
