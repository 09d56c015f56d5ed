import { requestCtx } from '../../../platform/context.js';
import type { HttpApp } from '../../../platform/http/types.js';
import { access } from '../../../platform/security/access.js';
import type { StaffUserService } from '../app/staff-users.js';
import {
  createUserBody,
  listUsersQuery,
  patchUserBody,
  resetPasswordBody,
  roleList,
  setRolesBody,
  staffUserSchema,
  userIdParams,
  userPage,
} from './user.schemas.js';

const tags = ['staff users'];
const security = [{ bearer: [] }];

/** Admin API of the staff directory, mounted under /api/v1 by the gateway. */
export function registerUserRoutes(app: HttpApp, service: StaffUserService): void {
  app.post(
    '/admin/users',
    {
      config: { access: access.admin('users:write') },
      schema: {
        tags,
        security,
        summary: 'Create a staff account',
        body: createUserBody,
        response: { 201: staffUserSchema },
      },
    },
    async (request, reply) => reply.status(201).send(await service.create(requestCtx(request), request.body)),
  );

  app.get(
    '/admin/users',
    {
      config: { access: access.admin('users:read') },
      schema: {
        tags,
        security,
        summary: 'List staff accounts (cursor pagination)',
        querystring: listUsersQuery,
        response: { 200: userPage },
      },
    },
    async (request) => service.list(requestCtx(request), request.query),
  );

  app.get(
    '/admin/users/:id',
    {
      config: { access: access.admin('users:read') },
      schema: {
        tags,
        security,
        summary: 'Get a staff account',
        params: userIdParams,
        response: { 200: staffUserSchema },
      },
    },
    async (request) => service.get(requestCtx(request), request.params.id),
  );

  app.patch(
    '/admin/users/:id',
    {
      config: { access: access.admin('users:write') },
      schema: {
        tags,
        security,
        summary:
          'Rename, suspend or reactivate a staff account; 409 last_admin when it would leave no active administrator',
        params: userIdParams,
        body: patchUserBody,
        response: { 200: staffUserSchema },
      },
    },
    async (request) => service.update(requestCtx(request), request.params.id, request.body),
  );

  app.delete(
    '/admin/users/:id',
    {
      config: { access: access.admin('users:write') },
      schema: {
        tags,
        security,
        summary: 'Soft-delete a staff account (409 last_admin for the last active administrator)',
        params: userIdParams,
      },
    },
    async (request, reply) => {
      await service.remove(requestCtx(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/admin/users/:id/password',
    {
      config: { access: access.admin('users:write') },
      schema: {
        tags,
        security,
        summary:
          "Set a staff account's password; ends all its sessions and publishes auth.password_changed (reason reset)",
        params: userIdParams,
        body: resetPasswordBody,
      },
    },
    async (request, reply) => {
      await service.resetPassword(requestCtx(request), request.params.id, request.body.password);
      return reply.status(204).send();
    },
  );

  app.put(
    '/admin/users/:id/roles',
    {
      config: { access: access.admin('users:write') },
      schema: {
        tags,
        security,
        summary: 'Replace the roles of a staff account (bumps its permissions version)',
        params: userIdParams,
        body: setRolesBody,
        response: { 200: staffUserSchema },
      },
    },
    async (request) => service.setRoles(requestCtx(request), request.params.id, request.body.roles),
  );

  app.get(
    '/admin/roles',
    {
      config: { access: access.admin('users:read') },
      schema: { tags, security, summary: 'List roles with their permissions', response: { 200: roleList } },
    },
    async (request) => ({ items: await service.listRoles(requestCtx(request)) }),
  );
}
