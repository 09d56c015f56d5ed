import { type Ctx, systemCtx } from '../../../platform/context.js';
import type { Keyset } from '../../../platform/db/keyset.js';
import type { JobDeclaration } from '../../../platform/eventing/index.js';
import { captureDue } from '../app/capture.js';
import type { LifecycleDeps } from '../app/deps.js';
import { moveIfStill, systemCancel } from '../app/system-cancel.js';
import { lifecycleRepository as lifecycle } from '../data/order-lifecycle.repository.js';

export const PAYMENT_WINDOW_EXPIRED = 'payment_window_expired';
export const COD_WINDOW_EXPIRED = 'cod_confirmation_window_expired';
export const COD_AUTO_CONFIRMED = 'cod_auto_confirmed';

type Cursor = Keyset | undefined;

/**
 * Walks keyset pages of `page` until a short page, the per-run cap or a stop signal, handing each
 * row to `each`; returns how many rows `each` counted. Bounded: never an unbounded SELECT.
 */
export async function sweep<R extends { id: string }>(
  signal: AbortSignal,
  batch: number,
  maxPages: number,
  page: (after: Cursor) => Promise<R[]>,
  keyOf: (row: R) => Date,
  each: (row: R) => Promise<boolean>,
): Promise<number> {
  let after: Cursor;
  let handled = 0;
  for (let p = 0; p < maxPages && !signal.aborted; p++) {
    const rows = await page(after);
    for (const row of rows) {
      if (signal.aborted) break;
      if (await each(row)) handled++;
    }
    const last = rows.at(-1);
    if (!last || rows.length < batch) break;
    after = { at: keyOf(last), id: last.id };
  }
  return handled;
}

/** The order service's lifecycle jobs (04-services.md "order" jobs), all through the scheduler (G7). */
export function orderLifecycleJobs(deps: LifecycleDeps): JobDeclaration[] {
  const { config } = deps;
  const batch = config.ORDER_JOB_BATCH_SIZE;
  const pages = config.ORDER_JOB_MAX_PAGES;
  const now = () => deps.clock.now();
  return [
    {
      // Capture tries that are due: first tries a kick missed, backoff retries, crashed tries.
      name: 'capture-retry',
      cron: config.ORDER_CAPTURE_RETRY_CRON,
      maxStalenessSeconds: 3600,
      handler: async ({ signal }) => ({ items: await captureDue(deps, batch, signal) }),
    },
    {
      // Pending card / bank-transfer orders whose payment window passed (COD: cod-confirmation).
      name: 'order-cleanup',
      cron: config.ORDER_CLEANUP_CRON,
      maxStalenessSeconds: 6 * 3600,
      handler: async ({ signal }) => {
        const cutoff = now();
        const n = await sweep(
          signal,
          batch,
          pages,
          (after) => lifecycle.pendingPastDue(deps.db, cutoff, after, batch),
          (o) => o.payment_due_at,
          (o) => moveIfStill(deps, o, 'pending', (at) => systemCancel(PAYMENT_WINDOW_EXPIRED, o, at)),
        );
        if (n > 0) deps.metrics.cancellations.inc({ reason: PAYMENT_WINDOW_EXPIRED }, n);
        return { items: n };
      },
    },
    {
      // Seed CODAutoConfirmJob, two passes: confirm pending COD orders (when auto-confirmation is
      // on), cancel those still unconfirmed after ORDER_COD_CONFIRMATION_WINDOW_HOURS.
      name: 'cod-confirmation',
      cron: config.ORDER_COD_CONFIRMATION_CRON,
      maxStalenessSeconds: 3600,
      handler: async ({ signal }) => {
        const boundary = new Date(now().getTime() - config.ORDER_COD_CONFIRMATION_WINDOW_HOURS * 3_600_000);
        const expired = await sweep(
          signal,
          batch,
          pages,
          (after) => lifecycle.pendingCod(deps.db, 'before', boundary, after, batch),
          (o) => o.created_at,
          (o) => moveIfStill(deps, o, 'pending', (at) => systemCancel(COD_WINDOW_EXPIRED, o, at)),
        );
        if (expired > 0) deps.metrics.cancellations.inc({ reason: COD_WINDOW_EXPIRED }, expired);
        if (!config.ORDER_COD_AUTO_CONFIRM) return { items: expired };
        const confirmed = await sweep(
          signal,
          batch,
          pages,
          (after) => lifecycle.pendingCod(deps.db, 'since', boundary, after, batch),
          (o) => o.created_at,
          (o) =>
            moveIfStill(deps, o, 'pending', (at) => ({
              to: 'confirmed',
              reason: COD_AUTO_CONFIRMED,
              set: { confirmed_at: at },
            })),
        );
        return { items: expired + confirmed };
      },
    },
    {
      // Cancelled orders whose release the warehouse has not confirmed to us: release again
      // (idempotent; a no-op for a released or expired reservation) and record it.
      name: 'reservation-cleanup',
      cron: config.ORDER_RESERVATION_CLEANUP_CRON,
      maxStalenessSeconds: 6 * 3600,
      handler: async ({ signal, logger }) => {
        const before = new Date(now().getTime() - config.ORDER_RESERVATION_CLEANUP_GRACE_MINUTES * 60_000);
        const ctx: Ctx = systemCtx(logger, 'order.reservation-cleanup', 'reservation-cleanup');
        return {
          items: await sweep(
            signal,
            batch,
            pages,
            (after) => lifecycle.cancelledUnreleased(deps.db, before, after, batch),
            (o) => o.cancelled_at!,
            async (o) => {
              try {
                await deps.warehouse.release(ctx, o.reservation_id, 'order_cancelled');
              } catch (err) {
                // Left unmarked: the next run tries again (keyset paging moves past it in this run).
                logger.warn({ err, orderId: o.id }, 'reservation release failed; retried next run');
                return false;
              }
              await lifecycle.markReservationReleased(deps.db, o.id, now());
              return true;
            },
          ),
        };
      },
    },
    {
      // OR-P1-01: carts untouched for ORDER_CART_ABANDON_DAYS become `abandoned`, in bounded batches.
      name: 'cart-cleanup',
      cron: config.ORDER_CART_CLEANUP_CRON,
      maxStalenessSeconds: 2 * 24 * 3600,
      handler: async ({ signal }) => {
        const before = new Date(now().getTime() - config.ORDER_CART_ABANDON_DAYS * 86_400_000);
        let total = 0;
        for (let p = 0; p < pages && !signal.aborted; p++) {
          const n = await lifecycle.abandonCarts(deps.db, before, batch, now());
          total += n;
          if (n < batch) break;
        }
        return { items: total };
      },
    },
  ];
}
