/**
 * A product's rating summary, as the review service answers it and catalog keeps it (both import
 * this, the review service's contract). Exact: the average is the fraction sum/count reduced by
 * their greatest common divisor, never a float; null while there are no ratings.
 */
export type Rating = 1 | 2 | 3 | 4 | 5;
export const RATINGS: readonly Rating[] = [1, 2, 3, 4, 5];

export type Histogram = Record<'1' | '2' | '3' | '4' | '5', number>;

export interface RatingSummary {
  count: number;
  average: { numerator: number; denominator: number } | null;
  histogram: Histogram;
}

const gcd = (a: number, b: number): number => {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
};

/** The summary of ratings counted per star (missing stars count 0; negative counts are refused). */
export function summarize(counts: Partial<Record<Rating, number>>): RatingSummary {
  const histogram: Histogram = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  let count = 0;
  let sum = 0;
  for (const r of RATINGS) {
    const n = counts[r] ?? 0;
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`rating count for ${r} must be >= 0`);
    histogram[String(r) as keyof Histogram] = n;
    count += n;
    sum += n * r;
  }
  if (count === 0) return { count, average: null, histogram };
  const d = gcd(sum, count);
  return { count, average: { numerator: sum / d, denominator: count / d }, histogram };
}
