/**
 * The status values of orders, fulfillments and shipments as plain data: the event schemas
 * (common.schemas.ts) and the admin console (admin/) both read them from here, so a status added
 * to a state machine reaches the console's filters too. No imports: the console bundles this file.
 */
export const ORDER_STATUSES = [
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
] as const;
export const FULFILLMENT_STATUSES = [
  'pending',
  'picking',
  'picked',
  'packing',
  'packed',
  'ready_to_ship',
  'shipped',
  'completed',
  'cancelled',
] as const;
export const SHIPMENT_STATUSES = [
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
] as const;
