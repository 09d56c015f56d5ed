import { requestCtx } from '../../../platform/context.js';
import { notFound } from '../../../platform/errors/app-error.js';
import { encodeCursor } from '../../../platform/http/pagination.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { isUuid } from '../../../platform/ids.js';
import { access } from '../../../platform/security/access.js';
import { getCustomer, listCustomers, setRoles, setStatus } from '../app/admin.js';
import type { CustomerDeps } from '../app/deps.js';
import { customerRepository } from '../data/customer.repository.js';
import {
  adminCustomerDetailSchema,
  adminCustomerSchema,
  adminListQuery,
  adminListSchema,
  auditSchema,
  idParams,
  rolesBody,
  statusBody,
} from './customer.schemas.js';

const tags = ['customers (admin)'];
const security = [{ bearer: [] }];
const READ = 'customers:read';
const WRITE = 'customers:write';
const AUDIT_PAGE = 100;

export function registerCustomerAdminRoutes(app: HttpApp, deps: CustomerDeps): void {
  app.get(
    '/admin/customers',
    {
      config: { access: access.admin(READ) },
      schema: {
        tags,
        security,
        summary: 'List customers, newest first',
        querystring: adminListQuery,
        response: { 200: adminListSchema },
      },
    },
    async (request) => {
      const { limit, cursor, status, email } = request.query;
      const page = await listCustomers(deps, { limit, beforeId: cursor, status, email });
      return { items: page.items, nextCursor: page.lastId ? encodeCursor(page.lastId) : null };
    },
  );

  app.get(
    '/admin/customers/:id',
    {
      config: { access: access.admin(READ) },
      schema: {
        tags,
        security,
        summary: 'Get a customer with their order statistics',
        description:
          '`stats`: total orders, total spent per currency, last order and returns, from the order lifecycle and refund events (idempotent per order and kind), corrected hourly against the order service.',
        params: idParams,
        response: { 200: adminCustomerDetailSchema },
      },
    },
    async (request) => getCustomer(deps, request.params.id),
  );

  app.post(
    '/admin/customers/:id/status',
    {
      config: { access: access.admin(WRITE) },
      schema: {
        tags,
        security,
        summary: 'Suspend, reactivate or manually verify a customer',
        description:
          'Suspension ends every session. Setting active on an account with a pending erasure request cancels the request. Impossible transitions are 409 invalid_transition.',
        params: idParams,
        body: statusBody,
        response: { 200: adminCustomerSchema },
      },
    },
    async (request) => setStatus(requestCtx(request), deps, request.params.id, request.body),
  );

  app.put(
    '/admin/customers/:id/roles',
    {
      config: { access: access.admin(WRITE) },
      schema: {
        tags,
        security,
        summary: "Replace a customer's roles (groups)",
        description: 'Unknown roles are 400; tokens issued before the change lose their permissions.',
        params: idParams,
        body: rolesBody,
        response: { 200: adminCustomerSchema },
      },
    },
    async (request) => setRoles(requestCtx(request), deps, request.params.id, request.body.roles),
  );

  app.get(
    '/admin/customers/:id/audit',
    {
      config: { access: access.admin(READ) },
      schema: {
        tags,
        security,
        summary: `The customer's security audit log (newest ${AUDIT_PAGE})`,
        params: idParams,
        response: { 200: auditSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!isUuid(id)) throw notFound('Customer', id.slice(0, 64));
      const rows = await customerRepository.auditOf(deps.db, id, AUDIT_PAGE);
      return {
        items: rows.map((r) => ({
          id: r.id,
          event: r.event,
          actor: r.actor,
          detail: r.detail,
          occurredAt: r.occurred_at.toISOString(),
        })),
      };
    },
  );
}
