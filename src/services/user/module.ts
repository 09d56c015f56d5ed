import { isUuid } from '../../platform/ids.js';
import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import { createEventHistory } from '../../platform/outbox/outbox.history.js';
import type { AuthClient } from '../auth/contract/client.js';
import { bootstrapAdmin } from './app/bootstrap.js';
import { createStaffDirectory } from './app/staff.directory.js';
import { toStaffUser } from './app/staff-user.view.js';
import { createStaffUserService } from './app/staff-users.js';
import type { UserClient } from './contract/client.js';
import { createRoleRepository } from './data/role.repository.js';
import { createStaffUserRepository } from './data/staff-user.repository.js';
import type { UserDB } from './data/tables.js';
import { registerUserRoutes } from './http/user.routes.js';

export type UserModuleDeps = PlatformDeps<UserDB> & {
  /** Auth is built after this service (it needs the staff directory): resolved per call. */
  auth?: () => Pick<AuthClient, 'passwordChanged'> | undefined;
};

/** Composition root of the user (staff directory) service. */
export function createUserModule(deps: UserModuleDeps): ServiceModule<UserClient> {
  const users = createStaffUserRepository(deps.db);
  const roles = createRoleRepository(deps.db);
  const service = createStaffUserService({
    db: deps.db,
    users,
    roles,
    clock: deps.clock,
    auth: () => deps.auth?.(),
  });
  const directory = createStaffDirectory({
    users,
    roles,
    clock: deps.clock,
    logger: deps.logger,
    policy: {
      maxFailures: deps.config.AUTH_LOGIN_MAX_FAILURES,
      lockoutMs: deps.config.AUTH_LOCKOUT_MINUTES * 60_000,
    },
  });

  return {
    name: 'user',
    migrations: new URL('./data/migrations/', import.meta.url),
    // U-W1/U8: every change is announced; auth consumes status_changed and deleted (U1).
    publishes: ['user.created', 'user.updated', 'user.deleted', 'user.status_changed'],
    routes: (app) => registerUserRoutes(app, service),
    client: {
      ...createEventHistory(deps.db),
      directory,
      async getUser(id) {
        const row = isUuid(id) ? await users.findById(id) : undefined;
        return row ? toStaffUser(row, users, roles) : undefined;
      },
    },
    async start() {
      await bootstrapAdmin({
        db: deps.db,
        users,
        clock: deps.clock,
        config: deps.config,
        logger: deps.logger,
      });
    },
  };
}
