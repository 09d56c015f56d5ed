import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import type { Simcarrier } from '../carriers/simcarrier.carrier.js';
import { outageBody, outageSchema, scanBody, scanParams, signedDeliverySchema } from './shipment.schemas.js';

const tags = ['development'];

/**
 * Development only: the handles a developer or a test has on the simulated carrier — take its API
 * down, and scan a parcel at the depot (which answers with the signed webhook the carrier sends).
 * Never registered when NODE_ENV=production.
 */
export function registerSimcarrierDevRoutes(app: HttpApp, simcarrier: Simcarrier): void {
  app.put(
    '/dev/simcarrier/outage',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Make simcarrier fail (not in production)',
        description:
          'down: every createShipment/track/cancel fails until set back; failNext: the next N calls fail. Stored in the database, so every replica sees it.',
        body: outageBody,
        response: { 200: outageSchema },
      },
    },
    async (request) => simcarrier.setOutage(request.body),
  );

  app.post(
    '/dev/simcarrier/parcels/:trackingNumber/scan',
    {
      config: { access: access.public() },
      schema: {
        tags,
        summary: 'Scan a simcarrier parcel at the depot (not in production)',
        description:
          "Moves the parcel in the simulator's books (tracking polls see it) and answers with the signed webhook delivery simcarrier sends: POST its body with its headers to /shipping/webhooks/simcarrier. Unknown parcel → 404; delivered, returned or cancelled parcels → 409.",
        params: scanParams,
        body: scanBody,
        response: { 200: signedDeliverySchema },
      },
    },
    async (request) =>
      simcarrier.scan(request.params.trackingNumber, request.body.status, request.body.note ?? null),
  );
}
