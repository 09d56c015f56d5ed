import { describe, expect, it } from 'vitest';
import { type ScreeningInput, type ScreeningReason, screen } from './screening.js';

const base: ScreeningInput = {
  rating: 4,
  title: 'Solid mug',
  body: 'Keeps coffee warm and feels sturdy in the hand.',
  bannedWords: ['scam', 'knock off'],
  otherBodies: ['My other review of a kettle.'],
};

const CASES: [string, Partial<ScreeningInput>, ScreeningReason[]][] = [
  ['a plain review', {}, []],
  ['an http link', { body: 'Cheaper at https://example.test/deal' }, ['link']],
  ['a www link', { body: 'see www.cheap-mugs.test' }, ['link']],
  ['a bare domain', { body: 'buy it on mugs.com instead' }, ['link']],
  ['a banned word, any case', { title: 'SCAM product' }, ['banned_word']],
  ['a banned phrase', { body: 'This is a knock off of the real one.' }, ['banned_word']],
  ['a banned word inside another word is fine', { body: 'Scampi tastes good from it.' }, []],
  ['a character run', { body: 'Goooooood mug' }, ['repeated_text']],
  ['a word repeated', { body: 'buy buy buy buy now' }, ['repeated_text']],
  ['the author’s other body again', { body: 'My other review  of a KETTLE!' }, ['duplicate_text']],
  [
    '1 star with clearly positive words',
    { rating: 1, body: 'Amazing quality, I love it.' },
    ['rating_mismatch'],
  ],
  [
    '5 stars with clearly negative words',
    { rating: 5, body: 'Terrible handle, arrived broken.' },
    ['rating_mismatch'],
  ],
  ['1 star, negated praise is negative', { rating: 1, body: 'Not great, not amazing either.' }, []],
  ['5 stars with mixed words', { rating: 5, body: 'Great mug, the box was broken.' }, []],
  [
    'several reasons at once',
    { rating: 1, body: 'Love it, perfect!!!!!! www.x.test' },
    ['link', 'repeated_text', 'rating_mismatch'],
  ],
];

describe('review screening', () => {
  it.each(CASES)('%s', (_name, change, expected) => {
    expect(screen({ ...base, ...change })).toEqual(expected);
  });
});
