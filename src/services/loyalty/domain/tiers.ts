/**
 * Tiers by lifetime points, each with an earning multiplier (settings: LOYALTY_TIERS). Pure: the
 * settings are parsed once at start-up and every rule below is unit-tested.
 */
export interface Tier {
  name: string;
  minPoints: bigint;
  /** Earning multiplier in percent (125 = ×1.25). */
  multiplierPercent: bigint;
}

/** Parses `name:minPoints:multiplierPercent,…`; refuses an unordered list or one not starting at 0. */
export function parseTiers(text: string): Tier[] {
  const tiers = text.split(',').map((part) => {
    const [name, min, mult] = part.split(':');
    return { name: name!, minPoints: BigInt(min!), multiplierPercent: BigInt(mult!) };
  });
  if (tiers[0]?.minPoints !== 0n) throw new Error('LOYALTY_TIERS: the first tier must start at 0 points');
  for (let i = 1; i < tiers.length; i++)
    if (tiers[i]!.minPoints <= tiers[i - 1]!.minPoints)
      throw new Error('LOYALTY_TIERS: tiers must be in ascending order of minimum points');
  if (new Set(tiers.map((t) => t.name)).size !== tiers.length)
    throw new Error('LOYALTY_TIERS: tier names repeat');
  return tiers;
}

export function tierFor(tiers: readonly Tier[], lifetimePoints: bigint): Tier {
  let current = tiers[0]!;
  for (const t of tiers) if (lifetimePoints >= t.minPoints) current = t;
  return current;
}

/**
 * Points for an order total in minor units: whole currency units × points per unit × the tier's
 * multiplier, rounded down (exact integer arithmetic, no floating point).
 */
export function pointsFor(totalMinor: bigint, exponent: number, pointsPerUnit: number, tier: Tier): bigint {
  if (totalMinor <= 0n) return 0n;
  return (totalMinor * BigInt(pointsPerUnit) * tier.multiplierPercent) / (10n ** BigInt(exponent) * 100n);
}

/** A reversal takes what the balance holds; the rest is the recorded shortfall (never negative). */
export function debit(balance: bigint, points: bigint): { taken: bigint; shortfall: bigint } {
  const taken = points <= balance ? points : balance;
  return { taken, shortfall: points - taken };
}
