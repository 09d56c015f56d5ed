import type { JobDeclaration } from '../../../platform/eventing/index.js';
import { settleDelivery } from '../app/delivery.js';
import type { LifecycleDeps } from '../app/deps.js';
import { moveIfStill } from '../app/system-cancel.js';
import { deliveryRepository as delivery } from '../data/delivery.repository.js';
import { sweep } from './order.jobs.js';

export const RETURN_WINDOW_CLOSED = 'return_window_closed';

/** The order's jobs after shipping: delivery check and completion (04-services.md "order" jobs). */
export function deliveryJobs(deps: LifecycleDeps): JobDeclaration[] {
  const { config } = deps;
  const batch = config.ORDER_JOB_BATCH_SIZE;
  const pages = config.ORDER_JOB_MAX_PAGES;
  return [
    {
      // Shipped orders shipping called "all delivered" whose check a kick did not finish (process
      // stopped, shipping unreachable): ask shipping again.
      name: 'delivery-check',
      cron: config.ORDER_DELIVERY_CHECK_CRON,
      maxStalenessSeconds: 6 * 3600,
      handler: async ({ signal, logger }) => ({
        items: await sweep(
          signal,
          batch,
          pages,
          (after) => delivery.shippedAwaitingDelivery(deps.db, after, batch),
          (o) => o.all_shipments_delivered_at!,
          async (o) => {
            try {
              await settleDelivery(deps, o.id);
              return true;
            } catch (err) {
              // Left as it is: the next run asks again.
              logger.warn({ err, orderId: o.id }, 'delivery check failed; retried next run');
              return false;
            }
          },
        ),
      }),
    },
    {
      // Delivered (or partially returned) orders past the return window → completed, the terminal
      // status loyalty and reviews rely on (02-events.md). An order with an open return is in
      // return_requested and waits for it.
      name: 'order-completion',
      cron: config.ORDER_COMPLETION_CRON,
      maxStalenessSeconds: 2 * 24 * 3600,
      handler: async ({ signal }) => {
        const before = new Date(deps.clock.now().getTime() - config.ORDER_RETURN_WINDOW_DAYS * 86_400_000);
        return {
          items: await sweep(
            signal,
            batch,
            pages,
            (after) => delivery.completionDue(deps.db, before, after, batch),
            (o) => o.delivered_at!,
            (o) =>
              moveIfStill(deps, o, o.status, (at) => ({
                to: 'completed',
                reason: RETURN_WINDOW_CLOSED,
                set: { completed_at: at },
              })),
          ),
        };
      },
    },
  ];
}
