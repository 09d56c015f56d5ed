import { requestCtx } from '../../../platform/context.js';
import { withBodyFieldPaths } from '../../../platform/http/errors.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import type { WarehouseDeps } from '../app/deps.js';
import { importStock, stockBySku, writeStock } from '../app/inventory.js';
import {
  createWarehouse,
  deactivateWarehouse,
  getWarehouse,
  listWarehouses,
  updateWarehouse,
} from '../app/warehouses.js';
import {
  createWarehouseBody,
  importBody,
  importResultSchema,
  skuParams,
  stockBySkuSchema,
  stockParams,
  stockSchema,
  updateWarehouseBody,
  warehouseListQuery,
  warehousePageSchema,
  warehouseParams,
  warehouseSchema,
  writeStockBody,
} from './warehouse.schemas.js';

const tags = ['inventory'];
const READ = 'inventory:read';
const WRITE = 'inventory:write';
const security = [{ bearer: [] }];

export function registerWarehouseRoutes(app: HttpApp, deps: WarehouseDeps): void {
  app.post(
    '/admin/warehouses',
    {
      config: { access: access.admin(WRITE) },
      schema: {
        tags,
        summary: 'Create a warehouse',
        description: 'A taken code is 409 warehouse_code_taken.',
        security,
        body: createWarehouseBody,
        response: { 201: warehouseSchema },
      },
    },
    async (request, reply) => {
      const w = await withBodyFieldPaths(() => createWarehouse(requestCtx(request), deps, request.body));
      return reply.status(201).header('location', `${app.prefix}/admin/warehouses/${w.id}`).send(w);
    },
  );

  app.get(
    '/admin/warehouses',
    {
      config: { access: access.admin(READ) },
      schema: {
        tags,
        summary: 'List warehouses',
        description: 'Newest first, cursor-paginated.',
        security,
        querystring: warehouseListQuery,
        response: { 200: warehousePageSchema },
      },
    },
    async (request) => {
      const { status, cursor, limit } = request.query;
      return listWarehouses(deps, { status, afterId: cursor, limit });
    },
  );

  app.get(
    '/admin/warehouses/:id',
    {
      config: { access: access.admin(READ) },
      schema: {
        tags,
        summary: 'Get a warehouse',
        security,
        params: warehouseParams,
        response: { 200: warehouseSchema },
      },
    },
    async (request) => getWarehouse(deps, request.params.id),
  );

  app.patch(
    '/admin/warehouses/:id',
    {
      config: { access: access.admin(WRITE) },
      schema: {
        tags,
        summary: 'Change a warehouse (code is immutable)',
        description: 'status inactive is 409 warehouse_has_reserved_stock while stock is reserved there.',
        security,
        params: warehouseParams,
        body: updateWarehouseBody,
        response: { 200: warehouseSchema },
      },
    },
    async (request) =>
      withBodyFieldPaths(() => updateWarehouse(requestCtx(request), deps, request.params.id, request.body)),
  );

  app.delete(
    '/admin/warehouses/:id',
    {
      config: { access: access.admin(WRITE) },
      schema: {
        tags,
        summary: 'Deactivate a warehouse',
        description:
          'Marks it inactive (history keeps referring to it); no new reservations go there. 409 warehouse_has_reserved_stock while stock is reserved there.',
        security,
        params: warehouseParams,
      },
    },
    async (request, reply) => {
      await deactivateWarehouse(requestCtx(request), deps, request.params.id);
      return reply.status(204).send();
    },
  );

  app.put(
    '/admin/inventory/:warehouseId/:sku',
    {
      config: { access: access.admin(WRITE) },
      schema: {
        tags,
        summary: 'Set or adjust stock of a sku in a warehouse',
        description:
          '`{onHand}` sets, `{delta, reason}` adjusts; both are written to the inventory ledger. A set below the reserved units, or a delta taking on hand below 0 or below reserved, is 409 conflict. Unknown sku or warehouse is 404.',
        security,
        params: stockParams,
        body: writeStockBody,
        response: { 200: stockSchema },
      },
    },
    async (request) =>
      writeStock(requestCtx(request), deps, request.params.warehouseId, request.params.sku, request.body),
  );

  app.post(
    '/admin/inventory/import',
    {
      config: { access: access.admin(WRITE) },
      schema: {
        tags,
        summary: 'Bulk set on hand',
        description:
          'Each row names a warehouse by id or code; one result per row (ok, or an error code); bad rows do not stop the others. Ledgered with reason import.',
        security,
        body: importBody,
        response: { 200: importResultSchema },
      },
    },
    async (request) => importStock(requestCtx(request), deps, request.body.items),
  );

  app.get(
    '/admin/inventory/:sku',
    {
      config: { access: access.admin(READ) },
      schema: {
        tags,
        summary: 'Stock of a sku per warehouse',
        description: 'Unknown sku is 404.',
        security,
        params: skuParams,
        response: { 200: stockBySkuSchema },
      },
    },
    async (request) => stockBySku(deps, request.params.sku),
  );
}
