import { requestCtx } from '../../../platform/context.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import type { FulfillmentDeps } from '../app/deps.js';
import { applyAction, createPicklist, listFulfillments } from '../app/fulfillment-actions.js';
import {
  fulfillmentListQuery,
  fulfillmentPageSchema,
  fulfillmentParams,
  fulfillmentSchema,
  packBody,
  picklistBody,
  picklistSchema,
} from './fulfillment.schemas.js';

const tags = ['fulfillment'];
// Staff routes: shippers work the fulfillment queue (role `shipper` holds both), admins hold `*`.
const READ = 'fulfillment:read';
const WRITE = 'fulfillment:write';
const security = [{ bearer: [] }];
const INVALID = 'A move outside the status matrix (02-events.md) is 409 invalid_transition.';

export function registerFulfillmentRoutes(app: HttpApp, deps: FulfillmentDeps): void {
  app.get(
    '/admin/fulfillments',
    {
      config: { access: access.staff(READ) },
      schema: {
        tags,
        summary: 'List fulfillments',
        description: 'Filter by order, status or warehouse; newest first, cursor-paginated.',
        security,
        querystring: fulfillmentListQuery,
        response: { 200: fulfillmentPageSchema },
      },
    },
    async (request) => listFulfillments(deps, request.query),
  );

  app.post(
    '/admin/picklists',
    {
      config: { access: access.staff(WRITE) },
      schema: {
        tags,
        summary: 'Create a batch picklist',
        description:
          'One transaction moves every named fulfillment from pending to picking, or none: unknown ids are 404, any not pending is 409 fulfillments_not_pending naming them (FUL-P0-05).',
        security,
        body: picklistBody,
        response: { 201: picklistSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createPicklist(requestCtx(request), deps, request.body.fulfillmentIds)),
  );

  const action = (name: 'pick' | 'ready' | 'cancel', summary: string, description: string) =>
    app.post(
      `/admin/fulfillments/:id/${name}`,
      {
        config: { access: access.staff(WRITE) },
        schema: {
          tags,
          summary,
          description: `${description} ${INVALID}`,
          security,
          params: fulfillmentParams,
          response: { 200: fulfillmentSchema },
        },
      },
      async (request) => applyAction(requestCtx(request), deps, request.params.id, { kind: name }),
    );

  action('pick', 'Mark a fulfillment picked', 'picking → picked.');
  action(
    'ready',
    'Mark a fulfillment ready to ship',
    'packed → ready_to_ship; publishes fulfillment.package_status_changed per package for shipping.',
  );
  action(
    'cancel',
    'Cancel a fulfillment',
    'Any status before shipped → cancelled; 409 fulfillment_partially_shipped once one of its packages is with the carrier.',
  );

  app.post(
    '/admin/fulfillments/:id/pack',
    {
      config: { access: access.staff(WRITE) },
      schema: {
        tags,
        summary: 'Pack a fulfillment into packages',
        description: `picked → packing → packed, storing the packages (weight required, dimensions optional). ${INVALID}`,
        security,
        params: fulfillmentParams,
        body: packBody,
        response: { 200: fulfillmentSchema },
      },
    },
    async (request) =>
      applyAction(requestCtx(request), deps, request.params.id, {
        kind: 'pack',
        packages: request.body.packages,
      }),
  );
}
