import { describe, expect, it } from 'vitest';
import { parseCsvRecords, parsePriceCsv } from './csv.js';

describe('price CSV (PR-P1-02)', () => {
  it('reads quoted fields, CRLF, a BOM and blank lines; columns in any order', () => {
    const text = '\uFEFFcurrency,sku,amount\r\nUSD,"A,1",100\r\n\r\nEUR,"say ""hi""",\n';
    expect(parsePriceCsv(text, 10)).toEqual([
      { currency: 'USD', sku: 'A,1', amount: '100' },
      { currency: 'EUR', sku: 'say "hi"' },
    ]);
  });

  it('refuses a file that is not the price table', () => {
    expect(() => parsePriceCsv('', 10)).toThrow(/empty/);
    expect(() => parsePriceCsv('sku,price\n', 10)).toThrow(/unknown column/);
    expect(() => parsePriceCsv('sku,amount\n', 10)).toThrow(/lacks currency/);
    expect(() => parsePriceCsv('sku,amount,currency\nA,1,USD\nB,2,USD\n', 1)).toThrow(/at most 1/);
    expect(() => parseCsvRecords('a,"b\n')).toThrow(/not closed/);
    expect(() => parseCsvRecords('a,"b"c\n')).toThrow(/after a closing quote/);
  });
});
