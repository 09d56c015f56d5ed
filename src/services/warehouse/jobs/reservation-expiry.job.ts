import type { JobDeclaration } from '../../../platform/eventing/index.js';
import type { WarehouseDeps } from '../app/deps.js';
import { expireReservation } from '../app/reservation-lifecycle.js';
import { reservationRepository as reservations } from '../data/reservation.repository.js';

/**
 * WH-P0-02: every minute (WAREHOUSE_RESERVATION_EXPIRY_CRON), active reservations past their TTL
 * are expired in bounded batches (WAREHOUSE_JOB_BATCH_SIZE, keyset on (expires_at, id)). Each is
 * its own transaction: status guarded by `WHERE status = 'active'` (two overlapping runs expire it
 * once), stock and capacity given back, ledgered, and `warehouse.inventory.reservation_expired`
 * written to the outbox.
 */
export function reservationExpiryJob(deps: WarehouseDeps, cron: string): JobDeclaration {
  return {
    name: 'reservation-expiry',
    cron,
    // Alerting (readiness) when expiry stops running: stock would stay locked (WH-P0-02).
    maxStalenessSeconds: 15 * 60,
    async handler(ctx) {
      const now = deps.clock.now();
      let expired = 0;
      let after: { expiresAt: Date; id: string } | undefined;
      for (;;) {
        const page = await reservations.listExpired(deps.db, now, after, deps.jobBatchSize);
        for (const r of page) if (await expireReservation(deps, r.id, 'system:reservation-expiry')) expired++;
        if (page.length < deps.jobBatchSize || ctx.signal.aborted) break;
        after = page[page.length - 1];
      }
      if (expired > 0) ctx.logger.info({ expired, runId: ctx.runId }, 'reservations expired');
      return { items: expired };
    },
  };
}
