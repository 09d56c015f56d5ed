import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../test/harness.js';
import { eventContracts } from '../contracts/index.js';
import { systemClock } from '../platform/clock.js';
import { createDatabase, type Database } from '../platform/db/database.js';
import { createEventing, deadTopics, validateTopology } from '../platform/eventing/index.js';
import { createLogger } from '../platform/logging/logger.js';
import type { ServiceModule } from '../platform/module.js';
import { createMetrics } from '../platform/observability/metrics.js';
import { buildModules } from './orderline.js';
import { SERVICE_NAMES } from './services.js';

/**
 * Issue 19 over the real registry (every service of services.ts, every contract of src/contracts):
 * each published topic is heard or its deferral declared with a reason, each contract's consumer
 * list is exactly the services that register a consumer of it, each declared topic is published,
 * and start-up refuses anything else.
 */
describe('event topology of the service registry', () => {
  const config = testConfig();
  const logger = createLogger({ level: 'silent' });
  const metrics = createMetrics();
  let database: Database;
  let modules: ServiceModule[];
  beforeAll(async () => {
    // Building the modules reads nothing: no migrations needed.
    database = await createDatabase({ dataDir: 'memory' });
    ({ modules } = buildModules(SERVICE_NAMES, { config, logger, database, clock: systemClock, metrics }));
  });
  afterAll(() => database?.close());

  const registered = (topic: string) =>
    modules
      .filter((m) => (m.consumers ?? []).some((c) => c.topic === topic))
      .map((m) => m.name)
      .sort();

  it('mounts every service of the registry', () => {
    expect(modules.map((m) => m.name)).toEqual(SERVICE_NAMES);
  });

  it('has no topology problem and no dead topic', () => {
    expect(validateTopology(modules, { knownServices: SERVICE_NAMES })).toEqual([]);
    expect(deadTopics(modules)).toEqual([]);
  });

  it('lists in every contract exactly the services that consume the topic', () => {
    const mismatched = eventContracts
      .map((c) => ({ topic: c.topic, contract: [...c.consumers].sort(), registered: registered(c.topic) }))
      .filter((r) => JSON.stringify(r.contract) !== JSON.stringify(r.registered));
    expect(mismatched).toEqual([]);
  });

  it('hears every published topic, or says who reads it elsewhere or why its consumers are deferred', () => {
    const published = modules.flatMap((m) => m.publishes ?? []);
    const unheard = published.filter((topic) => {
      const c = eventContracts.find((e) => e.topic === topic)!;
      const deferred = Object.values(c.deferredConsumers ?? {}).filter((r) => r?.trim());
      return registered(topic).length === 0 && !c.outsideAudience && deferred.length === 0;
    });
    expect(unheard).toEqual([]);
  });

  it('publishes every topic whose publisher is a registered service', () => {
    const published = new Set(modules.flatMap((m) => m.publishes ?? []));
    const never = eventContracts
      .filter((c) => (SERVICE_NAMES as string[]).includes(c.publisher) && !published.has(c.topic))
      .map((c) => c.topic);
    expect(never).toEqual([]);
  });

  it('refuses to start when a contract claims a consumer that is not registered', () => {
    const withoutErasure = modules.map((m) =>
      m.name === 'order'
        ? ({ ...m, consumers: m.consumers?.filter((c) => c.topic !== 'customer.deleted') } as ServiceModule)
        : m,
    );
    expect(() =>
      createEventing({
        database,
        config,
        logger,
        metrics,
        clock: systemClock,
        role: 'all',
        modules: withoutErasure,
        knownServices: SERVICE_NAMES,
      }),
    ).toThrow('customer.deleted lists order as consumer, but order registers no consumer of it');
  });
});
