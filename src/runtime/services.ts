import type { PlatformDeps, ServiceModule } from '../platform/module.js';
import type { AuthClient } from '../services/auth/contract/client.js';
import { createAuthModule } from '../services/auth/module.js';
import type { CatalogClient } from '../services/catalog/contract/client.js';
import { createCatalogModule } from '../services/catalog/module.js';
import type { UserClient } from '../services/user/contract/client.js';
import { createUserModule } from '../services/user/module.js';

/** Every service's client interface, by service name. */
export interface Clients {
  user: UserClient;
  auth: AuthClient;
  catalog: CatalogClient;
}

export type ServiceName = keyof Clients;

interface ServiceDefinition<N extends ServiceName> {
  /** Services whose clients this one needs; in one process they must be enabled too. */
  needs: readonly ServiceName[];
  create(deps: PlatformDeps<any>, clients: Partial<Clients>): ServiceModule<Clients[N]>;
}

/** The registry, in dependency order: a service appears after everything it needs. */
export const SERVICES: { [N in ServiceName]: ServiceDefinition<N> } = {
  user: { needs: [], create: (deps) => createUserModule(deps) },
  auth: {
    needs: ['user'],
    create: (deps, clients) => createAuthModule({ ...deps, directories: [clients.user!.directory] }),
  },
  catalog: { needs: [], create: (deps) => createCatalogModule(deps) },
};

export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/** Validates a `--services` selection and returns it in dependency order. */
export function resolveServices(requested: readonly string[] | undefined): ServiceName[] {
  if (!requested || requested.length === 0) return [...SERVICE_NAMES];
  const unknown = requested.filter((s) => !(SERVICE_NAMES as string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`Unknown service(s): ${unknown.join(', ')}. Known: ${SERVICE_NAMES.join(', ')}`);
  const chosen = new Set(requested as ServiceName[]);
  for (const name of chosen) {
    const missing = SERVICES[name].needs.filter((n) => !chosen.has(n));
    if (missing.length > 0)
      throw new Error(
        `Service ${name} needs ${missing.join(', ')} in the same process; add it to --services`,
      );
  }
  return SERVICE_NAMES.filter((n) => chosen.has(n));
}
