import { Counter } from 'prom-client';
import type { Metrics } from '../../../platform/observability/metrics.js';

/** Shipment counters; a manual fallback or a label the carrier would not void needs a person. */
export interface ShippingMetrics {
  bookings: Counter<'carrier' | 'result'>;
  manualFallbacks: Counter<'carrier'>;
  cancelFailures: Counter<'carrier'>;
}

export function createShippingMetrics(metrics: Metrics): ShippingMetrics {
  return {
    bookings: new Counter({
      name: 'orderline_shipping_booking_attempts_total',
      help: 'Carrier booking tries by carrier and result (booked, retry, fallback)',
      labelNames: ['carrier', 'result'],
      registers: [metrics.registry],
    }),
    manualFallbacks: new Counter({
      name: 'orderline_shipping_manual_fallbacks_total',
      help: 'Shipments handed to manual handling after the carrier kept failing (SHIP-P0-01); alert when > 0',
      labelNames: ['carrier'],
      registers: [metrics.registry],
    }),
    cancelFailures: new Counter({
      name: 'orderline_shipping_carrier_cancel_failures_total',
      help: 'Cancelled shipments whose label the carrier did not void after every retry; alert when > 0',
      labelNames: ['carrier'],
      registers: [metrics.registry],
    }),
  };
}
