import { z } from 'zod';

/** Shared building blocks of event payloads. Amounts are integer minor units as strings (principle 6). */
export const id = z.uuid();
export const occurredAt = z.iso.datetime({ offset: true });
export const currency = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code');
export const minorUnits = z.string().regex(/^-?\d+$/, 'integer minor units');
export const money = z.object({ amount: minorUnits, currency });
export const sku = z.string().min(1).max(64);
export const quantity = z.number().int().positive();
export const orderStatus = z.enum([
  'pending',
  'confirmed',
  'processing',
  'shipped',
  'delivered',
  'completed',
  'cancelled',
  'return_requested',
  'returned',
  'partially_returned',
  'refunded',
]);
export const fulfillmentStatus = z.enum([
  'pending',
  'picking',
  'picked',
  'packing',
  'packed',
  'ready_to_ship',
  'shipped',
  'completed',
  'cancelled',
]);
export const shipmentStatus = z.enum([
  'created',
  'label_created',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'failed_delivery',
  'returned_to_sender',
  'cancelled',
  'carrier_pending',
  'manual',
]);
export const lineItem = z.object({ sku, productId: id.optional(), quantity, unitPrice: money.optional() });
