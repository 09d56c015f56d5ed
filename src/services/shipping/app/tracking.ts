import type { Transaction } from 'kysely';
import { transaction } from '../../../platform/eventing/index.js';
import { shipmentRepository as repo } from '../data/shipment.repository.js';
import type { ShipmentEventSource, ShippingDB } from '../data/tables.js';
import type { CarrierScan } from '../domain/ports.js';
import { carrierUpdateApplies } from '../domain/shipment-status.js';
import type { ShipmentDeps } from './deps.js';
import { LockedShipments } from './shipment-transition.js';

/**
 * Applies a carrier's scans to a locked shipment, oldest first. A scan older than the newest
 * applied, a repeat or a regression is skipped (G6: carriers resend and reorder), so replaying a
 * whole timeline applies only what is new. Returns how many scans moved the shipment.
 */
export async function applyCarrierScans(
  tx: Transaction<ShippingDB>,
  locked: LockedShipments,
  id: string,
  scans: readonly CarrierScan[],
  source: Extract<ShipmentEventSource, 'carrier_webhook' | 'carrier_poll'>,
  now: Date,
): Promise<number> {
  let applied = 0;
  for (const scan of [...scans].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const row = locked.get(id);
    if (!row || !carrierUpdateApplies(row.status, row.last_carrier_event_at, scan)) continue;
    await locked.transition(
      tx,
      id,
      scan.status,
      { source, note: scan.note, at: scan.at, changes: { last_carrier_event_at: scan.at } },
      now,
    );
    applied++;
  }
  return applied;
}

/**
 * Job body (tracking-poll): asks the carriers that track about every active shipment, in pages
 * of SHIPPING_JOB_BATCH_SIZE by id. A carrier that does not answer is skipped until the next run.
 * Returns how many shipments moved.
 */
export async function pollTracking(deps: ShipmentDeps, signal: AbortSignal): Promise<number> {
  const trackers = deps.carriers.names().filter((name) => deps.carriers.get(name)?.tracks);
  if (trackers.length === 0) return 0;
  let moved = 0;
  let failed = 0;
  let after: string | undefined;
  while (!signal.aborted) {
    const page = await repo.trackedPage(deps.db, trackers, after, deps.batchSize);
    for (const row of page) {
      if (signal.aborted) break;
      const trackingNumber = row.tracking_number!;
      let scans: CarrierScan[];
      try {
        const tracking = await deps.carriers.call(row.carrier, (c) => c.track(trackingNumber));
        scans =
          tracking.events.length > 0
            ? tracking.events
            : [{ status: tracking.status, at: deps.clock.now(), note: null }];
      } catch (err) {
        failed++;
        deps.logger.warn(
          { shipmentId: row.id, carrier: row.carrier, err },
          'tracking poll failed; the next run asks again',
        );
        continue;
      }
      const applied = await transaction(deps.db, async (tx) => {
        const locked = await LockedShipments.lock(tx, row.order_id);
        return applyCarrierScans(tx, locked, row.id, scans, 'carrier_poll', deps.clock.now());
      });
      if (applied > 0) moved++;
    }
    if (page.length < deps.batchSize) break;
    after = page[page.length - 1]!.id;
  }
  if (failed > 0) deps.logger.warn({ failed, moved }, 'tracking poll could not reach some carriers');
  return moved;
}
