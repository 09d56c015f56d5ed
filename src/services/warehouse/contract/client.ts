import type { EventHistory } from '../../../contracts/index.js';
import type { Ctx } from '../../../platform/context.js';

export interface ShipTo {
  country: string;
  postalCode: string;
  /** When the caller knows the coordinates; otherwise the warehouse estimates by country. */
  location?: { lat: number; lng: number } | undefined;
}

export interface ReserveRequest {
  /** Idempotency: reserving again with the same reference returns the same reservation. */
  reference: string;
  /** The order the reservation is for (announced in reservation events). */
  orderId: string;
  items: { sku: string; quantity: number }[];
  shipTo: ShipTo;
  ttlSeconds: number;
}

export interface Allocation {
  sku: string;
  warehouseId: string;
  quantity: number;
}

export type ReserveResult =
  | { ok: true; reservationId: string; expiresAt: string; allocations: Allocation[] }
  | {
      ok: false;
      reason: 'out_of_stock';
      unavailable: { sku: string; requested: number; available: number }[];
    };

export interface NewWarehouseInput {
  code: string;
  name: string;
  capacityPerDay: number;
  address: { line1: string; city: string; postalCode: string; country: string };
  location: { lat: number; lng: number };
}

/** Returned goods going back on hand (orders' returns). */
export interface RestockRequest {
  /** Idempotency: a return id; restocking again with it changes nothing. */
  reference: string;
  /** Each item back to the warehouse it shipped from (never a default one). */
  items: { warehouseId: string; sku: string; quantity: number }[];
}

export type ReservationStatus = 'active' | 'confirmed' | 'fulfilled' | 'expired' | 'released';

/** The warehouse (inventory) service as other services see it. */
export interface WarehouseClient extends EventHistory {
  /** Units available to sell per sku across all warehouses (on hand − reserved). */
  availability(skus: readonly string[]): Promise<Map<string, number>>;
  /** All-or-nothing reservation across warehouses (G1); idempotent per `reference`. */
  reserve(ctx: Ctx, request: ReserveRequest): Promise<ReserveResult>;
  /** Payment received: the reservation no longer expires. Refused for an expired one. */
  confirm(ctx: Ctx, reservationId: string): Promise<void>;
  /**
   * Gives the stock back; idempotent, a no-op for an already released or expired reservation.
   * Only units not yet shipped come back (a warehouse that shipped keeps its deduction).
   */
  release(ctx: Ctx, reservationId: string, reason: string): Promise<void>;
  /**
   * Shipped as a whole (WH-P0-02): confirmed → fulfilled, deducting on hand and reserved exactly
   * once for every item not yet settled (fulfillment settles per warehouse through its events);
   * idempotent, refused (`invalid_transition`) for a reservation that is not confirmed.
   */
  fulfil(ctx: Ctx, reservationId: string): Promise<void>;
  /**
   * Returned goods back on hand in the warehouse each item names (ledger `restock`); idempotent per
   * `reference`. 422 `unknown_warehouse` for a warehouse that does not exist, 409
   * `restock_reference_reused` for a reference already used with other items.
   */
  restock(ctx: Ctx, request: RestockRequest): Promise<void>;
  /** Admin and demo-seed writes, the same rules as `POST /admin/warehouses`. */
  createWarehouse(ctx: Ctx, input: NewWarehouseInput): Promise<{ id: string; code: string }>;
  /** Sets on hand (ledgered, as `PUT /admin/inventory/{warehouseId}/{sku}` with `{onHand}`). */
  setStock(ctx: Ctx, input: { warehouseId: string; sku: string; onHand: number }): Promise<void>;
  getReservation(
    reservationId: string,
  ): Promise<{ id: string; status: ReservationStatus; allocations: Allocation[] } | undefined>;
}
