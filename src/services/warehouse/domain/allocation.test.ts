import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Candidate, type Demand, planAllocation } from './allocation.js';

const SKUS = ['A', 'B', 'C'];
const candidateArb = (i: number) =>
  fc
    .record({
      distanceKm: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 20_000 })),
      capacityRemaining: fc.integer({ min: 0, max: 30 }),
      stock: fc.tuple(...SKUS.map(() => fc.integer({ min: 0, max: 15 }))),
    })
    .map(
      (c): Candidate => ({
        warehouseId: `w${i}`,
        distanceKm: c.distanceKm,
        capacityRemaining: c.capacityRemaining,
        available: new Map(SKUS.map((s, k) => [s, c.stock[k]!])),
      }),
    );
const candidatesArb = fc
  .integer({ min: 0, max: 4 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => candidateArb(i))));
const demandsArb = fc.uniqueArray(
  fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 25 }) }),
  { minLength: 1, maxLength: 3, selector: (d) => d.sku },
);

describe('planAllocation (WH-P1-01, FUL-P0-03)', () => {
  it('never allocates more than a warehouse has of a sku, nor beyond its remaining capacity', () => {
    fc.assert(
      fc.property(demandsArb, candidatesArb, (demands, candidates) => {
        const plan = planAllocation(demands, candidates);
        if (!plan.ok) return;
        for (const c of candidates) {
          const mine = plan.allocations.filter((a) => a.warehouseId === c.warehouseId);
          expect(mine.reduce((n, a) => n + a.quantity, 0)).toBeLessThanOrEqual(c.capacityRemaining);
          for (const a of mine) expect(a.quantity).toBeLessThanOrEqual(c.available.get(a.sku) ?? 0);
        }
      }),
    );
  });

  it('allocates exactly the requested quantities, or reports a shortfall per sku', () => {
    fc.assert(
      fc.property(demandsArb, candidatesArb, (demands, candidates) => {
        const plan = planAllocation(demands, candidates);
        if (plan.ok) {
          for (const d of demands)
            expect(plan.allocations.filter((a) => a.sku === d.sku).reduce((n, a) => n + a.quantity, 0)).toBe(
              d.quantity,
            );
          expect(plan.allocations.every((a) => a.quantity > 0)).toBe(true);
        } else {
          expect(plan.unavailable.length).toBeGreaterThan(0);
          for (const u of plan.unavailable) {
            expect(u.available).toBeLessThan(u.requested);
            const total = candidates.reduce((n, c) => n + (c.available.get(u.sku) ?? 0), 0);
            expect(u.available).toBeLessThanOrEqual(total);
          }
        }
      }),
    );
  });

  it('finds an allocation whenever stock and capacity are not binding', () => {
    fc.assert(
      fc.property(demandsArb, candidatesArb, (demands, candidates) => {
        const roomy = candidates.map((c) => ({ ...c, capacityRemaining: 1000 }));
        const enough = demands.every(
          (d) => roomy.reduce((n, c) => n + (c.available.get(d.sku) ?? 0), 0) >= d.quantity,
        );
        expect(planAllocation(demands, roomy).ok).toBe(enough);
      }),
    );
  });

  it('uses a farther warehouse for a sku only when every nearer one is exhausted', () => {
    fc.assert(
      fc.property(
        demandsArb.map((d) => [d[0]!]),
        candidatesArb,
        ([demand], candidates) => {
          const plan = planAllocation([demand!], candidates);
          if (!plan.ok) return;
          const used = new Map(plan.allocations.map((a) => [a.warehouseId, a.quantity]));
          for (const far of plan.allocations) {
            const farKm = candidates.find((c) => c.warehouseId === far.warehouseId)!.distanceKm ?? 0;
            for (const near of candidates) {
              if ((near.distanceKm ?? 0) >= farKm) continue;
              const room = Math.min(near.capacityRemaining, near.available.get(demand!.sku) ?? 0);
              expect(used.get(near.warehouseId) ?? 0).toBe(room);
            }
          }
        },
      ),
    );
  });

  it('splits across warehouses nearest first', () => {
    const c = (id: string, km: number, cap: number, a: number): Candidate => ({
      warehouseId: id,
      distanceKm: km,
      capacityRemaining: cap,
      available: new Map([['A', a]]),
    });
    const plan = planAllocation([{ sku: 'A', quantity: 5 }], [c('far', 900, 100, 10), c('near', 10, 100, 3)]);
    expect(plan).toEqual({
      ok: true,
      allocations: [
        { sku: 'A', warehouseId: 'near', quantity: 3 },
        { sku: 'A', warehouseId: 'far', quantity: 2 },
      ],
    });
  });

  it('routes competing skus around a shared capacity limit (where a per-item greedy fails)', () => {
    const demands: Demand[] = [
      { sku: 'A', quantity: 2 },
      { sku: 'B', quantity: 2 },
    ];
    const near: Candidate = {
      warehouseId: 'near',
      distanceKm: 1,
      capacityRemaining: 2,
      available: new Map([
        ['A', 2],
        ['B', 2],
      ]),
    };
    const far: Candidate = {
      warehouseId: 'far',
      distanceKm: 500,
      capacityRemaining: 10,
      available: new Map([['A', 2]]),
    };
    const plan = planAllocation(demands, [near, far]);
    expect(plan).toEqual({
      ok: true,
      allocations: [
        { sku: 'A', warehouseId: 'far', quantity: 2 },
        { sku: 'B', warehouseId: 'near', quantity: 2 },
      ],
    });
  });

  it('reports what capacity and stock allow when short', () => {
    const only: Candidate = {
      warehouseId: 'w',
      distanceKm: null,
      capacityRemaining: 3,
      available: new Map([['A', 10]]),
    };
    expect(planAllocation([{ sku: 'A', quantity: 5 }], [only])).toEqual({
      ok: false,
      unavailable: [{ sku: 'A', requested: 5, available: 3 }],
    });
  });
});
