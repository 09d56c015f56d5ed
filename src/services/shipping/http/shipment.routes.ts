import { requestCtx } from '../../../platform/context.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import { getShipment, listShipments, updateShipmentStatus } from '../app/admin-shipments.js';
import type { ShipmentDeps } from '../app/deps.js';
import {
  adminShipmentSchema,
  shipmentListQuery,
  shipmentPageSchema,
  shipmentParams,
  statusBody,
} from './shipment.schemas.js';

const tags = ['shipping'];
const security = [{ bearer: [] }];
// Staff routes (03-api.md: admin, shipper). The shipper role holds `shipping:write` and
// `fulfillment:read` (no `shipping:read`), so the shipping desk reads with the latter; admins hold `*`.
const READ = 'fulfillment:read';
const WRITE = 'shipping:write';

export function registerShipmentRoutes(app: HttpApp, deps: ShipmentDeps): void {
  app.get(
    '/admin/shipments',
    {
      config: { access: access.staff(READ) },
      schema: {
        tags,
        summary: 'List shipments',
        description:
          'Filter by order or status; newest first, cursor-paginated; each with its tracking history.',
        security,
        querystring: shipmentListQuery,
        response: { 200: shipmentPageSchema },
      },
    },
    async (request) => listShipments(deps, request.query),
  );

  app.get(
    '/admin/shipments/:id',
    {
      config: { access: access.staff(READ) },
      schema: {
        tags,
        summary: 'One shipment with its tracking history',
        security,
        params: shipmentParams,
        response: { 200: adminShipmentSchema },
      },
    },
    async (request) => getShipment(deps, request.params.id),
  );

  app.post(
    '/admin/shipments/:id/status',
    {
      config: { access: access.staff(WRITE) },
      schema: {
        tags,
        summary: 'Set a shipment status by hand',
        description:
          'Same table as carrier updates (e.g. manual → in_transit → delivered); a move outside it is 409 invalid_transition. trackingNumber only for manual shipments, unique per carrier (409 tracking_number_taken). cancelled voids a label the carrier holds.',
        security,
        params: shipmentParams,
        body: statusBody,
        response: { 200: adminShipmentSchema },
      },
    },
    async (request) => updateShipmentStatus(requestCtx(request), deps, request.params.id, request.body),
  );
}
