import { z } from 'zod';
import { pageLimitQuery } from '../../../platform/http/pagination.js';
import { SCAN_STATUSES } from '../carriers/simcarrier.carrier.js';
import { SHIPMENT_STATUSES } from '../domain/shipment-status.js';

/** Request and response schemas of the shipping routes (03-api.md). */
const status = z.enum(SHIPMENT_STATUSES);

export const shipmentEventSchema = z.object({
  status,
  note: z.string().nullable(),
  source: z.enum(['carrier_webhook', 'carrier_poll', 'admin', 'system']),
  occurredAt: z.string(),
});

export const adminShipmentSchema = z.object({
  id: z.uuid(),
  orderId: z.uuid(),
  fulfillmentId: z.uuid().nullable(),
  packageId: z.uuid().nullable(),
  warehouseId: z.uuid().nullable(),
  carrier: z.string(),
  trackingNumber: z.string().nullable(),
  labelUrl: z.string().nullable(),
  status,
  version: z.number().int(),
  weightGrams: z.number().int().nullable(),
  attempts: z.number().int().describe('Carrier booking tries so far'),
  nextAttemptAt: z.string().nullable().describe('When the next booking try is due'),
  lastError: z.string().nullable().describe('Why the last booking try failed'),
  carrierCancel: z
    .object({ state: z.string(), attempts: z.number().int(), lastError: z.string().nullable() })
    .nullable()
    .describe('Voiding the label of a cancelled shipment at its carrier'),
  createdAt: z.string(),
  updatedAt: z.string(),
  deliveredAt: z.string().nullable(),
  events: z.array(shipmentEventSchema).describe('Tracking history, oldest first'),
});

export const shipmentPageSchema = z.object({
  items: z.array(adminShipmentSchema),
  nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page'),
});

export const shipmentListQuery = z.object({
  orderId: z.guid().optional(),
  status: status.optional(),
  cursor: z.string().max(200).optional(),
  limit: pageLimitQuery,
});

export const shipmentParams = z.object({ id: z.guid() });

export const statusBody = z.object({
  status,
  note: z.string().trim().min(1).max(500).optional(),
  trackingNumber: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{1,64}$/, 'letters, digits and hyphens, at most 64')
    .optional()
    .describe('Manual shipments only: the tracking number of the courier the store used'),
});

export const webhookParams = z.object({
  carrier: z.string().min(1).max(64).describe('Carrier name, e.g. simcarrier'),
});

export const webhookBody = z
  .string()
  .describe('The carrier event exactly as sent; the signature covers these raw bytes');

export const webhookResponse = z.object({
  received: z.literal(true),
  eventId: z.string(),
  outcome: z
    .enum(['applied', 'ignored_stale', 'duplicate'])
    .describe(
      'ignored_stale: an older, repeated or backward scan (the shipment never moves back); duplicate: event id seen before',
    ),
  shipmentId: z.uuid(),
  status,
});

export const outageBody = z.object({
  down: z.boolean().describe('While true every simcarrier API call fails'),
  failNext: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .default(0)
    .describe('Fail the next N calls, then answer again'),
});
export const outageSchema = z.object({ down: z.boolean(), failNext: z.number().int() });

export const scanParams = z.object({ trackingNumber: z.string().min(1).max(64) });
export const scanBody = z.object({
  status: z.enum(SCAN_STATUSES),
  note: z.string().trim().min(1).max(500).optional(),
});
export const signedDeliverySchema = z.object({
  headers: z.record(z.string(), z.string()),
  body: z.string().describe('POST exactly these bytes with these headers to /shipping/webhooks/simcarrier'),
});
