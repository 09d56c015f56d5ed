import { createHash } from 'node:crypto';
import type { Ctx } from '../../../platform/context.js';
import { AppError, notFound } from '../../../platform/errors/app-error.js';
import { transaction } from '../../../platform/eventing/index.js';
import { newId } from '../../../platform/ids.js';
import { shipmentRepository as repo } from '../data/shipment.repository.js';
import { carrierUpdateApplies, type ShipmentStatus } from '../domain/shipment-status.js';
import type { ShipmentDeps } from './deps.js';
import { LockedShipments } from './shipment-transition.js';
import { applyCarrierScans } from './tracking.js';

export interface WebhookOutcome {
  received: true;
  eventId: string;
  /** applied: the shipment moved; ignored_stale: an old, repeated or backward scan (G6); duplicate: event id seen before. */
  outcome: 'applied' | 'ignored_stale' | 'duplicate';
  shipmentId: string;
  status: ShipmentStatus;
}

/**
 * POST /shipping/webhooks/{carrier}. The signature is verified over the raw body before anything
 * is read or stored (401, nothing processed). Then, in one transaction: an event id seen before
 * answers `duplicate` with nothing changed (a different body under the same id → 409); the
 * shipment is found by (carrier, tracking number) and locked with its order's shipments; the
 * event id is recorded and the scan applied under the status guard.
 *
 * An unknown tracking number is 404 and nothing is recorded: a carrier retries a refused
 * delivery, and the one case where a genuine parcel is unknown here is a scan that outran the
 * commit of its own booking — its retry then applies.
 */
export async function handleCarrierWebhook(
  ctx: Ctx,
  deps: ShipmentDeps,
  carrierName: string,
  rawBody: string,
  headers: Record<string, string | string[] | undefined>,
): Promise<WebhookOutcome> {
  const carrier = deps.carriers.get(carrierName);
  if (!carrier?.verifyWebhook) throw notFound('Carrier', carrierName.slice(0, 64));
  const event = carrier.verifyWebhook(rawBody, headers);
  const hash = createHash('sha256').update(rawBody, 'utf8').digest('hex');
  const now = deps.clock.now();

  const outcome = await transaction(deps.db, async (tx): Promise<WebhookOutcome> => {
    const seen = async (): Promise<WebhookOutcome | undefined> => {
      const row = await tx
        .selectFrom('carrier_webhook_events')
        .select(['request_hash', 'shipment_id'])
        .where('carrier', '=', carrier.name)
        .where('event_id', '=', event.eventId)
        .executeTakeFirst();
      if (!row) return undefined;
      if (row.request_hash !== hash)
        throw new AppError(
          'conflict',
          'webhook_event_conflict',
          `Event ${event.eventId} was already received with a different body`,
        );
      const shipment = await repo.find(tx, row.shipment_id);
      return {
        received: true,
        eventId: event.eventId,
        outcome: 'duplicate',
        shipmentId: row.shipment_id,
        status: shipment!.status,
      };
    };

    const earlier = await seen();
    if (earlier) return earlier;
    const found = await repo.findByTracking(tx, carrier.name, event.trackingNumber);
    if (!found)
      throw notFound(`${carrier.name} shipment with tracking number`, event.trackingNumber.slice(0, 64));
    const locked = await LockedShipments.lock(tx, found.order_id);
    const current = locked.get(found.id)!;
    const scan = { status: event.status, at: event.occurredAt, note: event.note };
    const applies = carrierUpdateApplies(current.status, current.last_carrier_event_at, scan);
    const recorded = await tx
      .insertInto('carrier_webhook_events')
      .values({
        id: newId(),
        carrier: carrier.name,
        event_id: event.eventId,
        request_hash: hash,
        shipment_id: found.id,
        outcome: applies ? 'applied' : 'ignored_stale',
        received_at: now,
      })
      .onConflict((oc) => oc.columns(['carrier', 'event_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    // A concurrent delivery of the same event committed first.
    if (!recorded) return (await seen())!;
    if (applies) await applyCarrierScans(tx, locked, found.id, [scan], 'carrier_webhook', now);
    return {
      received: true,
      eventId: event.eventId,
      outcome: applies ? 'applied' : 'ignored_stale',
      shipmentId: found.id,
      status: locked.get(found.id)!.status,
    };
  });
  ctx.logger.info(
    {
      carrier: carrier.name,
      eventId: event.eventId,
      shipmentId: outcome.shipmentId,
      outcome: outcome.outcome,
    },
    'carrier webhook handled',
  );
  return outcome;
}
