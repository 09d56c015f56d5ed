import { actorId, type Ctx } from '../../../platform/context.js';
import { conflict, type FieldError, validationFailed } from '../../../platform/errors/app-error.js';
import { isUuid, newId } from '../../../platform/ids.js';
import { transaction } from '../../../platform/outbox/outbox.publisher.js';
import type { Allocation, ReserveRequest, ReserveResult } from '../contract/client.js';
import { type Reservation, reservationRepository as reservations } from '../data/reservation.repository.js';
import { utcDay } from '../data/sql.js';
import { stockRepository as stock } from '../data/stock.repository.js';
import { type Candidate, type Demand, mergeDemands, planAllocation } from '../domain/allocation.js';
import { destinationPoint, haversineKm } from '../domain/geo.js';
import { canonicalSku, MAX_STOCK_UNITS } from '../domain/stock.js';
import type { WarehouseDeps } from './deps.js';
import { changeStock, isRetryableConflict } from './stock-change.js';

/**
 * How often a reservation that lost a race (another one took the stock or capacity between our
 * read and our conditional update) is re-planned on fresh data before it gives up. Each retry
 * reads the new state, so a sold-out sku answers out_of_stock on the next attempt.
 */
const MAX_ATTEMPTS = 5;
const MAX_TTL_SECONDS = 30 * 24 * 3600;
const MAX_ITEMS = 500;

/** A replayed reference (idempotency) is answered with the reservation already stored. */
const REPLAY = Symbol('replay');

export const toReserveResult = (r: Reservation): ReserveResult => ({
  ok: true,
  reservationId: r.id,
  expiresAt: r.expiresAt.toISOString(),
  allocations: r.allocations,
});

function validate(request: ReserveRequest): { items: Demand[]; request: ReserveRequest } {
  const errors: FieldError[] = [];
  const reference = typeof request.reference === 'string' ? request.reference.trim() : '';
  if (reference.length < 1 || reference.length > 200)
    errors.push({ path: 'reference', message: 'must be 1-200 characters' });
  if (!isUuid(request.orderId ?? '')) errors.push({ path: 'orderId', message: 'must be a UUID' });
  if (!Array.isArray(request.items) || request.items.length < 1 || request.items.length > MAX_ITEMS)
    errors.push({ path: 'items', message: `must hold 1-${MAX_ITEMS} items` });
  (request.items ?? []).forEach((item, i) => {
    if (typeof item.sku !== 'string' || canonicalSku(item.sku).length === 0)
      errors.push({ path: `items.${i}.sku`, message: 'is required' });
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_STOCK_UNITS)
      errors.push({ path: `items.${i}.quantity`, message: 'must be a positive integer' });
  });
  if (!Number.isInteger(request.ttlSeconds) || request.ttlSeconds < 1 || request.ttlSeconds > MAX_TTL_SECONDS)
    errors.push({ path: 'ttlSeconds', message: `must be an integer from 1 to ${MAX_TTL_SECONDS}` });
  if (!/^[A-Za-z]{2}$/.test(request.shipTo?.country ?? ''))
    errors.push({ path: 'shipTo.country', message: 'must be an ISO 3166-1 alpha-2 code' });
  const loc = request.shipTo?.location;
  if (loc && !(Math.abs(loc.lat) <= 90 && Math.abs(loc.lng) <= 180))
    errors.push({ path: 'shipTo.location', message: 'lat must be within ±90 and lng within ±180' });
  if (errors.length > 0) throw validationFailed('The reservation request is not valid.', errors);
  const items = mergeDemands(request.items.map((i) => ({ sku: canonicalSku(i.sku), quantity: i.quantity })));
  return {
    items,
    request: {
      ...request,
      reference,
      shipTo: { ...request.shipTo, country: request.shipTo.country.toUpperCase() },
    },
  };
}

/** Same reference, different items: the caller reused a reference for another reservation. */
function sameItems(items: Demand[], allocations: Allocation[]): boolean {
  const stored = mergeDemands(allocations.map((a) => ({ sku: a.sku, quantity: a.quantity })));
  return (
    stored.length === items.length &&
    stored.every((s, i) => s.sku === items[i]!.sku && s.quantity === items[i]!.quantity)
  );
}

function replayOf(existing: Reservation, items: Demand[]): ReserveResult {
  if (!sameItems(items, existing.allocations))
    throw conflict(
      `Reference ${existing.reference} already reserved other items`,
      'reservation_reference_reused',
    );
  return toReserveResult(existing);
}

/**
 * All-or-nothing reservation of `items` across warehouses in ONE transaction (G1): read the
 * candidates of every sku in one query, plan (nearest first, within stock and daily capacity,
 * splitting when needed), then insert the reservation, its items and ledger rows, take the
 * capacity and finally the stock with conditional updates. Any refused update rolls everything
 * back and the plan is redone on fresh data, at most MAX_ATTEMPTS times.
 */
export async function reserve(ctx: Ctx, deps: WarehouseDeps, input: ReserveRequest): Promise<ReserveResult> {
  const { items, request } = validate(input);
  const existing = await reservations.find(deps.db, { reference: request.reference });
  if (existing) return replayOf(existing, items);

  const destination = destinationPoint(request.shipTo, deps.postalCentroids);
  const skus = items.map((i) => i.sku);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    try {
      const outcome = await transaction(deps.db, async (tx) => {
        const now = deps.clock.now();
        const day = utcDay(now);
        const rows = await stock.readCandidates(tx, skus, day);
        const byWarehouse = new Map<string, Candidate & { available: Map<string, number> }>();
        for (const row of rows) {
          let c = byWarehouse.get(row.warehouseId);
          if (!c) {
            c = {
              warehouseId: row.warehouseId,
              distanceKm: destination ? haversineKm(destination, row) : null,
              capacityRemaining: row.capacityRemaining,
              available: new Map(),
            };
            byWarehouse.set(row.warehouseId, c);
          }
          c.available.set(row.sku, row.available);
        }
        const plan = planAllocation(items, [...byWarehouse.values()]);
        if (!plan.ok)
          return { ok: false as const, reason: 'out_of_stock' as const, unavailable: plan.unavailable };

        const id = newId();
        const expiresAt = new Date(now.getTime() + request.ttlSeconds * 1000);
        const inserted = await reservations.insert(tx, {
          id,
          reference: request.reference,
          orderId: request.orderId,
          expiresAt,
          capacityDay: day,
          shipTo: request.shipTo,
          now,
        });
        if (!inserted) return REPLAY;
        await reservations.insertItems(tx, id, plan.allocations);

        // FUL-P0-03: capacity first (per warehouse), stock last (the hottest rows).
        const units = new Map<string, number>();
        for (const a of plan.allocations)
          units.set(a.warehouseId, (units.get(a.warehouseId) ?? 0) + a.quantity);
        const took = await stock.consumeCapacity(
          tx,
          day,
          [...units].map(([warehouseId, n]) => ({ warehouseId, units: n })),
        );
        if (took.length !== units.size) throw new CapacityRaceLost();
        // G1: `reserved + n` only where `on_hand - reserved >= n`, checked on the locked row.
        await changeStock(
          tx,
          deps,
          plan.allocations.map((a) => ({
            warehouseId: a.warehouseId,
            sku: a.sku,
            deltaOnHand: 0,
            deltaReserved: a.quantity,
          })),
          { reason: 'reserve', reference: id, note: null, actor: actorId(ctx) },
        );
        return {
          ok: true as const,
          reservationId: id,
          expiresAt: expiresAt.toISOString(),
          allocations: plan.allocations,
        };
      });
      if (outcome === REPLAY) {
        const stored = await reservations.find(deps.db, { reference: request.reference });
        if (!stored) throw new Error(`Reservation ${request.reference} conflicted but cannot be read`);
        return replayOf(stored, items);
      }
      if (outcome.ok)
        ctx.logger.info(
          { reservationId: outcome.reservationId, orderId: request.orderId, attempt },
          'stock reserved',
        );
      return outcome;
    } catch (err) {
      if (!(err instanceof CapacityRaceLost) && !isRetryableConflict(err)) throw err;
      ctx.logger.debug({ attempt, reference: request.reference }, 'reservation lost a race; re-planning');
    }
  }
  // Still losing after MAX_ATTEMPTS fresh plans: report what is available now.
  const available = await stock.availability(deps.db, skus);
  ctx.logger.warn(
    { reference: request.reference, attempts: MAX_ATTEMPTS },
    'reservation gave up under contention',
  );
  return {
    ok: false,
    reason: 'out_of_stock',
    unavailable: items.map((i) => ({
      sku: i.sku,
      requested: i.quantity,
      available: Math.max(0, available.get(i.sku) ?? 0),
    })),
  };
}

class CapacityRaceLost extends Error {
  constructor() {
    super('daily capacity was taken concurrently');
    this.name = 'CapacityRaceLost';
  }
}
