/**
 * The allocation planner (WH-P1-01, FUL-P0-03, WH-P0-03): splits the requested quantities of a
 * reservation over warehouses, never using more than a warehouse's available stock of a sku or
 * its remaining capacity for the day, preferring nearer warehouses. Pure: the caller reads a
 * snapshot, plans, and then applies the plan with conditional updates that fail if the snapshot
 * went stale (G1), re-planning on a lost race.
 *
 * It is a min-cost flow: source → sku (requested units) → warehouse (available stock of that sku)
 * → sink (remaining daily capacity), costed by distance. Max flow finds an allocation whenever one
 * exists — also when skus compete for one warehouse's capacity, which a per-item greedy misses —
 * and min cost makes it the nearest such allocation. Graphs are tiny (items × warehouses).
 */
export interface Demand {
  sku: string;
  quantity: number;
}

export interface Candidate {
  warehouseId: string;
  /** Kilometres to the destination; `null` when unknown (then all candidates are equally near). */
  distanceKm: number | null;
  /** Units the warehouse can still take on today. */
  capacityRemaining: number;
  /** Units available to reserve (on hand − reserved) per sku. */
  available: ReadonlyMap<string, number>;
}

export interface PlannedAllocation {
  sku: string;
  warehouseId: string;
  quantity: number;
}

export type AllocationPlan =
  | { ok: true; allocations: PlannedAllocation[] }
  | { ok: false; unavailable: { sku: string; requested: number; available: number }[] };

interface Edge {
  to: number;
  capacity: number;
  cost: number;
  flow: number;
  reverse: number;
}

class FlowGraph {
  readonly edges: Edge[][];
  constructor(size: number) {
    this.edges = Array.from({ length: size }, () => []);
  }
  add(from: number, to: number, capacity: number, cost: number): Edge {
    const forward: Edge = { to, capacity, cost, flow: 0, reverse: this.edges[to]!.length };
    const backward: Edge = { to: from, capacity: 0, cost: -cost, flow: 0, reverse: this.edges[from]!.length };
    this.edges[from]!.push(forward);
    this.edges[to]!.push(backward);
    return forward;
  }

  /** Successive shortest paths (Bellman-Ford, costs may be negative on residual edges). */
  minCostMaxFlow(source: number, sink: number): void {
    const n = this.edges.length;
    for (;;) {
      const dist = new Array<number>(n).fill(Number.POSITIVE_INFINITY);
      const via = new Array<[number, number] | undefined>(n).fill(undefined);
      dist[source] = 0;
      for (let round = 0, changed = true; changed && round < n; round++) {
        changed = false;
        for (let u = 0; u < n; u++) {
          if (dist[u] === Number.POSITIVE_INFINITY) continue;
          this.edges[u]!.forEach((e, i) => {
            if (e.capacity - e.flow > 0 && dist[u]! + e.cost < dist[e.to]!) {
              dist[e.to] = dist[u]! + e.cost;
              via[e.to] = [u, i];
              changed = true;
            }
          });
        }
      }
      if (dist[sink] === Number.POSITIVE_INFINITY) return;
      let push = Number.POSITIVE_INFINITY;
      for (let v = sink; v !== source; ) {
        const [u, i] = via[v]!;
        const e = this.edges[u]![i]!;
        push = Math.min(push, e.capacity - e.flow);
        v = u;
      }
      for (let v = sink; v !== source; ) {
        const [u, i] = via[v]!;
        const e = this.edges[u]![i]!;
        e.flow += push;
        this.edges[v]![e.reverse]!.flow -= push;
        v = u;
      }
    }
  }
}

/** Candidates nearest first; unknown distances tie, broken by warehouse id for a stable plan. */
export function orderCandidates(candidates: readonly Candidate[]): Candidate[] {
  return [...candidates].sort(
    (a, b) => (a.distanceKm ?? 0) - (b.distanceKm ?? 0) || a.warehouseId.localeCompare(b.warehouseId),
  );
}

/** Sums duplicate skus so each sku is one demand. */
export function mergeDemands(demands: readonly Demand[]): Demand[] {
  const bySku = new Map<string, number>();
  for (const d of demands) bySku.set(d.sku, (bySku.get(d.sku) ?? 0) + d.quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity })).sort((a, b) => a.sku.localeCompare(b.sku));
}

export function planAllocation(demands: readonly Demand[], candidates: readonly Candidate[]): AllocationPlan {
  const items = mergeDemands(demands);
  const warehouses = orderCandidates(candidates);
  const source = 0;
  const skuNode = (i: number) => 1 + i;
  const warehouseNode = (j: number) => 1 + items.length + j;
  const sink = 1 + items.length + warehouses.length;
  const graph = new FlowGraph(sink + 1);

  items.forEach((item, i) => {
    graph.add(source, skuNode(i), item.quantity, 0);
  });
  // Metres as integer costs: exact arithmetic, so shortest paths never loop on rounding.
  const links = items.flatMap((item, i) =>
    warehouses.flatMap((w, j) => {
      const available = Math.max(0, w.available.get(item.sku) ?? 0);
      if (available === 0) return [];
      const cost = Math.round((w.distanceKm ?? 0) * 1000);
      return [
        {
          sku: item.sku,
          warehouseId: w.warehouseId,
          rank: j,
          edge: graph.add(skuNode(i), warehouseNode(j), available, cost),
        },
      ];
    }),
  );
  warehouses.forEach((w, j) => {
    graph.add(warehouseNode(j), sink, Math.max(0, w.capacityRemaining), 0);
  });
  graph.minCostMaxFlow(source, sink);

  const allocated = new Map<string, number>();
  for (const link of links) allocated.set(link.sku, (allocated.get(link.sku) ?? 0) + link.edge.flow);
  const unavailable = items
    .filter((item) => (allocated.get(item.sku) ?? 0) < item.quantity)
    .map((item) => ({ sku: item.sku, requested: item.quantity, available: allocated.get(item.sku) ?? 0 }));
  if (unavailable.length > 0) return { ok: false, unavailable };
  return {
    ok: true,
    allocations: links
      .filter((link) => link.edge.flow > 0)
      .sort((a, b) => a.sku.localeCompare(b.sku) || a.rank - b.rank)
      .map((link) => ({ sku: link.sku, warehouseId: link.warehouseId, quantity: link.edge.flow })),
  };
}
