/**
 * Splits `total` minor units over `weights` exactly: each share is floor(total × w / Σw), and the
 * minor units left over go one each to the largest remainders, ties to the earlier index — so the
 * shares always add up to `total` and the same input always gives the same split (PM-P0-02: exact
 * discounts per line). Weights are non-negative; a zero weight gets nothing unless every weight is
 * zero, when the first entries take the units. `total` must be non-negative.
 */
export function allocate(total: bigint, weights: readonly bigint[]): bigint[] {
  if (total < 0n) throw new RangeError('allocate: total must be non-negative');
  if (weights.some((w) => w < 0n)) throw new RangeError('allocate: weights must be non-negative');
  if (weights.length === 0) {
    if (total !== 0n) throw new RangeError('allocate: nothing to allocate to');
    return [];
  }
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n) {
    // No basis for a proportion: spread evenly, earlier entries first.
    const n = BigInt(weights.length);
    return weights.map((_, i) => total / n + (BigInt(i) < total % n ? 1n : 0n));
  }
  const shares = weights.map((w) => (total * w) / sum);
  let left = total - shares.reduce((a, b) => a + b, 0n);
  const order = weights
    .map((w, i) => ({ i, remainder: (total * w) % sum }))
    .sort((a, b) => (a.remainder === b.remainder ? a.i - b.i : a.remainder > b.remainder ? -1 : 1));
  for (const { i } of order) {
    if (left === 0n) break;
    shares[i]! += 1n;
    left -= 1n;
  }
  return shares;
}
