import { requestCtx } from '../../../platform/context.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import { handleCarrierWebhook } from '../app/carrier-webhook.js';
import type { ShipmentDeps } from '../app/deps.js';
import { webhookBody, webhookParams, webhookResponse } from './shipment.schemas.js';

/**
 * The carriers' tracking pushes, in their own encapsulated scope: the body is kept as the raw
 * string the carrier signed (the HMAC covers the exact bytes, so JSON must not be re-serialized
 * first). The parser change stays inside this scope.
 */
export async function registerCarrierWebhookRoutes(app: HttpApp, deps: ShipmentDeps): Promise<void> {
  await app.register(async (instance) => {
    const scoped = instance as HttpApp;
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scoped.post(
      '/shipping/webhooks/:carrier',
      {
        config: { access: access.public() },
        schema: {
          tags: ['shipping'],
          summary: 'Receive a signed carrier tracking event',
          description:
            'Orderline-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">. Unknown carrier → 404; unsigned, badly signed or stale → 401 with nothing stored. Body {eventId, trackingNumber, status, occurredAt, note?}. An event id seen before → 200 duplicate, nothing changes (a different body → 409). An unknown tracking number → 404, nothing recorded, so the carrier\'s retry applies once the booking is known.',
          params: webhookParams,
          body: webhookBody,
          response: { 200: webhookResponse },
        },
      },
      async (request) =>
        handleCarrierWebhook(
          requestCtx(request),
          deps,
          request.params.carrier,
          request.body,
          request.headers,
        ),
    );
  });
}
