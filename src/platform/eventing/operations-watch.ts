import type { Database } from '../db/database.js';
import { openDeadLetterCount } from '../inbox/dead-letter.store.js';
import { listCompensations } from '../saga/compensation.store.js';
import type { PlatformTables } from './platform.tables.js';

/** An unresolved failed compensation, as an operator alert shows it. */
export interface UnresolvedCompensation {
  id: string;
  service: string;
  sagaType: string;
  sagaId: string;
  step: string;
  action: string;
  status: 'pending' | 'exhausted';
  attempts: number;
  lastError: string;
}

/**
 * A read-only view of the platform's failure tables (dead letters, failed compensations) in the
 * schemas of `services`, for the service that alerts operators (notification). The platform reads
 * its own tables here, as the admin operations routes do; no service's data is touched.
 */
export function createOperationsWatch(database: Database, services: readonly string[]) {
  const db = (service: string) => database.forSchema<PlatformTables>(service);
  return {
    async openDeadLetters(): Promise<{ service: string; open: number }[]> {
      return Promise.all(
        services.map(async (service) => ({ service, open: await openDeadLetterCount(db(service)) })),
      );
    },
    async failedCompensations(limit: number): Promise<UnresolvedCompensation[]> {
      const all = await Promise.all(
        services.flatMap((service) =>
          (['pending', 'exhausted'] as const).map((status) =>
            listCompensations(db(service), service, { status, limit }),
          ),
        ),
      );
      return all
        .flat()
        .sort((a, b) => (a.id < b.id ? -1 : 1))
        .slice(0, limit)
        .map((c) => ({
          id: c.id,
          service: c.service,
          sagaType: c.sagaType,
          sagaId: c.sagaId,
          step: c.step,
          action: c.action,
          status: c.status as 'pending' | 'exhausted',
          attempts: c.attempts,
          lastError: c.lastError,
        }));
    },
  };
}
