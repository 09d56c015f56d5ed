import { z } from 'zod';
import { validationFailed } from '../../../platform/errors/app-error.js';
import type { CarrierWebhookEvent } from '../domain/ports.js';
import { CARRIER_STATUSES } from '../domain/shipment-status.js';

/**
 * simcarrier's webhook body: `{eventId, trackingNumber, status, occurredAt, note?}`. Parsed only
 * after the signature is verified; a signed body that does not parse is the sender's bug (400).
 */
export const simcarrierWebhookBody = z.object({
  eventId: z.string().min(1).max(200),
  trackingNumber: z.string().min(1).max(64),
  status: z.enum(CARRIER_STATUSES),
  occurredAt: z.iso.datetime({ offset: true }),
  note: z.string().max(500).optional(),
});
export type SimcarrierWebhookBody = z.infer<typeof simcarrierWebhookBody>;

export function parseSimcarrierWebhook(rawBody: string): CarrierWebhookEvent {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch (err) {
    throw validationFailed(`The webhook body is not JSON: ${(err as Error).message}`);
  }
  const parsed = simcarrierWebhookBody.safeParse(json);
  if (!parsed.success)
    throw validationFailed(
      'The webhook body is not a simcarrier tracking event',
      parsed.error.issues.map((i) => ({ path: `body.${i.path.join('.')}`, message: i.message })),
    );
  const { eventId, trackingNumber, status, occurredAt, note } = parsed.data;
  return { eventId, trackingNumber, status, occurredAt: new Date(occurredAt), note: note ?? null };
}
