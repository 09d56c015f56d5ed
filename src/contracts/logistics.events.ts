import { z } from 'zod';
import { fulfillmentStatus, id, occurredAt, quantity, shipmentStatus, sku } from './common.schemas.js';
import { defineEvent } from './contract.js';

/** warehouse, fulfillment and shipping topics. */
const stockItem = z.object({ sku, quantity });

export const fulfillmentStatusChanged = defineEvent({
  topic: 'fulfillments.fulfillment.status_changed',
  version: 1,
  publisher: 'fulfillment',
  consumers: ['order', 'warehouse', 'analytics'],
  key: 'order id',
  description: 'A fulfillment moved; allReachedStatus says whether every fulfillment of the order did.',
  schema: z.object({
    fulfillmentId: id,
    orderId: id,
    warehouseId: id,
    oldStatus: fulfillmentStatus.nullable(),
    newStatus: fulfillmentStatus,
    items: z.array(stockItem),
    allReachedStatus: z.boolean(),
    occurredAt,
  }),
});

const packageStatus = z.enum(['open', 'packed', 'ready_to_ship', 'shipped', 'cancelled']);
export const packageStatusChanged = defineEvent({
  topic: 'fulfillment.package_status_changed',
  version: 1,
  publisher: 'fulfillment',
  consumers: ['shipping'],
  key: 'package id',
  description: 'Shipping creates a shipment when a package is ready_to_ship.',
  schema: z.object({
    packageId: id,
    fulfillmentId: id,
    orderId: id,
    warehouseId: id,
    oldStatus: packageStatus.nullable(),
    newStatus: packageStatus,
    weightGrams: z.number().int().nonnegative().nullable(),
    /** The carrier of the order's shipping method; null when unknown (shipping uses its default). */
    carrier: z.string().min(1).nullable(),
    occurredAt,
  }),
});

export const fulfillmentSlaBreach = defineEvent({
  topic: 'fulfillments.fulfillment.sla_breach',
  version: 1,
  publisher: 'fulfillment',
  consumers: ['analytics', 'notification'],
  deferredConsumers: {},
  key: 'fulfillment id',
  description: 'The ship-by SLA passed.',
  schema: z.object({ fulfillmentId: id, orderId: id, warehouseId: id, shipBy: occurredAt, occurredAt }),
});

export const reservationExpired = defineEvent({
  topic: 'warehouse.inventory.reservation_expired',
  version: 1,
  publisher: 'warehouse',
  consumers: ['order'],
  key: 'order id',
  description: 'A reservation TTL passed; order auto-cancels the unpaid order.',
  schema: z.object({
    orderId: id,
    reservationIds: z.array(id).min(1),
    items: z.array(stockItem),
    occurredAt,
  }),
});

export const stockLow = defineEvent({
  topic: 'warehouse.stock.low',
  version: 1,
  publisher: 'warehouse',
  consumers: ['analytics', 'notification'],
  deferredConsumers: {},
  key: 'sku',
  description: 'Available stock fell below its threshold.',
  schema: z.object({
    sku,
    warehouseId: id,
    available: z.number().int(),
    threshold: z.number().int().nonnegative(),
    occurredAt,
  }),
});

export const stockReconciled = defineEvent({
  topic: 'warehouse.stock.reconciled',
  version: 1,
  publisher: 'warehouse',
  consumers: ['analytics', 'notification'],
  deferredConsumers: {},
  key: 'sku',
  description: 'Drift between stock and reservations was found and corrected.',
  schema: z.object({
    sku,
    warehouseId: id,
    field: z.enum(['on_hand', 'reserved']),
    before: z.number().int(),
    after: z.number().int(),
    occurredAt,
  }),
});

const shipment = z.object({
  shipmentId: id,
  orderId: id,
  fulfillmentId: id.nullable(),
  /** The fulfillment package the shipment carries (null for a shipment not created from one). */
  packageId: id.nullable(),
  carrierCode: z.string().min(1),
  trackingNumber: z.string().nullable(),
  /** Per-shipment change counter: a consumer ignores a version not newer than what it applied (G6). */
  version: z.number().int().positive(),
  occurredAt,
});
export const shipmentStatusChanged = defineEvent({
  topic: 'shipping.shipment.status_changed',
  version: 1,
  publisher: 'shipping',
  consumers: ['order', 'fulfillment', 'analytics', 'notification'],
  deferredConsumers: {},
  key: 'order id',
  description:
    'A shipment moved (tracking); fulfillment marks its package shipped once the carrier has it (in_transit or later).',
  schema: shipment.extend({ oldStatus: shipmentStatus.nullable(), newStatus: shipmentStatus }),
});

export const shipmentDelivered = defineEvent({
  topic: 'shipping.shipment.delivered',
  version: 1,
  publisher: 'shipping',
  consumers: ['order', 'fulfillment'],
  key: 'order id',
  description: 'Delivered; allShipmentsDelivered tells order whether the whole order is.',
  schema: shipment.extend({ allShipmentsDelivered: z.boolean() }),
});
