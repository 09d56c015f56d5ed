import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import { createAuthMetrics } from './app/auth.metrics.js';
import { createAuthenticator } from './app/authenticator.js';
import { createDirectoryRegistry } from './app/directory.registry.js';
import { createKeyRing, type KeyRing } from './app/key-ring.js';
import { createSessionService } from './app/session.service.js';
import { loadSigningKeys } from './app/signing-keys.js';
import type { AuthClient } from './contract/client.js';
import type { PrincipalDirectory } from './contract/directory.js';
import { createSessionRepository } from './data/session.repository.js';
import type { AuthDB } from './data/tables.js';
import { registerAuthRoutes } from './http/auth.routes.js';

export { generateSigningKey } from './app/signing-keys.js';

/**
 * Composition root of the auth service. `directories` are the services that own principals
 * (user for staff today, customer later); auth never stores credentials itself.
 */
export function createAuthModule(
  deps: PlatformDeps<AuthDB> & { directories: PrincipalDirectory[] },
): ServiceModule<AuthClient> {
  const { config, clock, logger } = deps;
  const directories = createDirectoryRegistry(deps.directories);
  const sessions = createSessionRepository(deps.db);
  const metrics = createAuthMetrics(deps.metrics);

  // Loaded once, on start or on first use, whichever comes first.
  let keyRing: Promise<KeyRing> | undefined;
  const keys = (): Promise<KeyRing> => {
    keyRing ??= loadSigningKeys(config, logger).then((k) => createKeyRing(k, config.AUTH_ISSUER));
    return keyRing;
  };

  const service = createSessionService({
    sessions,
    directories,
    keys,
    clock,
    metrics,
    lifetimes: {
      staff: {
        accessSeconds: config.AUTH_ACCESS_TTL_STAFF_SECONDS,
        refreshSeconds: config.AUTH_REFRESH_TTL_STAFF_SECONDS,
      },
      customer: {
        accessSeconds: config.AUTH_ACCESS_TTL_CUSTOMER_SECONDS,
        refreshSeconds: config.AUTH_REFRESH_TTL_CUSTOMER_SECONDS,
      },
    },
  });
  const authenticate = createAuthenticator({ sessions, directories, keys, clock, metrics, logger });

  return {
    name: 'auth',
    migrations: new URL('./data/migrations/', import.meta.url),
    routes: (app) => registerAuthRoutes(app, service, keys),
    client: {
      authenticate,
      revokeAllSessions: (type, principalId, reason) => service.revokeAll(type, principalId, reason),
    },
    async start() {
      const ring = await keys();
      logger.info({ kid: ring.activeKid, directories: directories.types }, 'auth ready');
    },
  };
}
