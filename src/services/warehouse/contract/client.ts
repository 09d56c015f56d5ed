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

export type ReservationStatus = 'active' | 'confirmed' | 'fulfilled' | 'expired' | 'released';

/** The warehouse (inventory) service as other services see it. */
export interface WarehouseClient {
  /** Units available to sell per sku across all warehouses (on hand − reserved). */
  availability(skus: readonly string[]): Promise<Map<string, number>>;
  /** All-or-nothing reservation across warehouses (G1); idempotent per `reference`. */
  reserve(ctx: Ctx, request: ReserveRequest): Promise<ReserveResult>;
  /** Payment received: the reservation no longer expires. Refused for an expired one. */
  confirm(ctx: Ctx, reservationId: string): Promise<void>;
  /** Gives the stock back; idempotent, a no-op for an already released or expired reservation. */
  release(ctx: Ctx, reservationId: string, reason: string): Promise<void>;
  getReservation(
    reservationId: string,
  ): Promise<{ id: string; status: ReservationStatus; allocations: Allocation[] } | undefined>;
}
