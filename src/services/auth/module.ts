import type { PlatformDeps, ServiceModule } from '../../platform/module.js';
import { createEventHistory } from '../../platform/outbox/outbox.history.js';
import { createAuthMetrics } from './app/auth.metrics.js';
import { createAuthenticator } from './app/authenticator.js';
import { createDirectoryRegistry } from './app/directory.registry.js';
import { createKeyRing, type KeyRing } from './app/key-ring.js';
import { createSessionService } from './app/session.service.js';
import { loadSigningKeys } from './app/signing-keys.js';
import { principalLifecycleConsumers } from './consumers/principal-lifecycle.consumer.js';
import type { AuthClient } from './contract/client.js';
import type { PrincipalDirectory } from './contract/directory.js';
import { createSessionRepository } from './data/session.repository.js';
import type { AuthDB } from './data/tables.js';
import { registerAuthRoutes } from './http/auth.routes.js';
import { sessionCleanupJob } from './jobs/session-cleanup.job.js';

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

  const age = {
    idleSeconds: config.AUTH_SESSION_IDLE_DAYS * 86_400,
    maxAgeSeconds: config.AUTH_SESSION_MAX_AGE_DAYS * 86_400,
  };
  const service = createSessionService({
    sessions,
    directories,
    keys,
    clock,
    metrics,
    age,
    deviceBinding: config.AUTH_DEVICE_BINDING,
    limits: {
      customer: config.AUTH_SESSION_LIMIT_CUSTOMER,
      admin: config.AUTH_SESSION_LIMIT_ADMIN,
      shipper: config.AUTH_SESSION_LIMIT_SHIPPER,
    },
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
    // A9: only these two; session and token lifecycle is not broadcast (no consumer needs it).
    publishes: ['auth.login', 'auth.password_changed'],
    routes: (app) => registerAuthRoutes(app, service, keys),
    client: {
      ...createEventHistory(deps.db),
      authenticate,
      revokeAllSessions: (type, principalId, reason) => service.revokeAll(type, principalId, reason),
      passwordChanged: (ctx, type, principalId, reason) =>
        service.passwordChanged(ctx, type, principalId, reason),
    },
    consumers: principalLifecycleConsumers({ sessions, clock, metrics }),
    jobs: [
      sessionCleanupJob({
        sessions,
        clock,
        metrics,
        age,
        cron: config.AUTH_SESSION_CLEANUP_CRON,
        startupDelayMs: config.AUTH_SESSION_CLEANUP_STARTUP_DELAY_SECONDS * 1000,
        batchSize: config.AUTH_SESSION_CLEANUP_BATCH_SIZE,
      }),
    ],
    async start() {
      const ring = await keys();
      logger.info({ kid: ring.activeKid, directories: directories.types }, 'auth ready');
    },
  };
}
