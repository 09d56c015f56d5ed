import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUnsafeText, unsafeTextPaths } from './text.js';

describe('the text rule', () => {
  it.each(['\u0000', 'a\u0000b', 'x\ud800y', '\udc00', '\ud83d', 'end\ude00', '\ud800\ud800\udc00'])(
    'refuses %j',
    (text) => expect(isUnsafeText(text)).toBe(true),
  );

  it.each(['', 'plain', 'Müller', '😀', 'a😀b', '\u0001\u007f', '\ufffd', '漢字'])('accepts %j', (text) =>
    expect(isUnsafeText(text)).toBe(false),
  );

  it('accepts every well-formed string without U+0000', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(isUnsafeText(text)).toBe(text.includes('\u0000'));
      }),
    );
  });

  it('refuses any string holding a lone surrogate', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.integer({ min: 0xd800, max: 0xdfff }),
        fc.string(),
        (before, unit, after) => {
          // A lone half next to ASCII letters stays lone.
          expect(isUnsafeText(`${before}a${String.fromCharCode(unit)}a${after}`)).toBe(true);
        },
      ),
    );
  });

  it('names the path of every unsafe string and object key', () => {
    const value = {
      ok: 'fine',
      name: 'x\u0000',
      address: { lines: ['ok', '\ud800'] },
      attributes: { 'k\u0000': 'v' },
      n: 1,
      none: null,
    };
    expect(unsafeTextPaths(value)).toEqual([['name'], ['address', 'lines', 1], ['attributes', 'k\u0000']]);
    expect(unsafeTextPaths('\u0000')).toEqual([[]]);
    expect(unsafeTextPaths({ a: [1, true, 'b'] })).toEqual([]);
  });

  it('walks deeply nested input without overflowing the stack', () => {
    let deep: unknown = '\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(unsafeTextPaths(deep)).toHaveLength(1);
  });
});
