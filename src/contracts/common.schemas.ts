import { z } from 'zod';
import { FULFILLMENT_STATUSES, ORDER_STATUSES, SHIPMENT_STATUSES } from './statuses.js';

/** Shared building blocks of event payloads. Amounts are integer minor units as strings (principle 6). */
export const id = z.uuid();
export const occurredAt = z.iso.datetime({ offset: true });
export const currency = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code');
export const minorUnits = z.string().regex(/^-?\d+$/, 'integer minor units');
export const money = z.object({ amount: minorUnits, currency });
export const sku = z.string().min(1).max(64);
export const quantity = z.number().int().positive();
export const orderStatus = z.enum(ORDER_STATUSES);
export const fulfillmentStatus = z.enum(FULFILLMENT_STATUSES);
export const shipmentStatus = z.enum(SHIPMENT_STATUSES);
export const lineItem = z.object({ sku, productId: id.optional(), quantity, unitPrice: money.optional() });
