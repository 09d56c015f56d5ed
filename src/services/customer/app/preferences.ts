import { actorId, type Ctx } from '../../../platform/context.js';
import { conflict } from '../../../platform/errors/app-error.js';
import type { PreferenceRow } from '../data/tables.js';
import type { Consents, Preferences } from '../domain/preferences.js';
import type { CustomerDeps } from './deps.js';
import { ownRow } from './profile.js';

export interface PreferenceVersion {
  version: number;
  preferences: Preferences;
  consents: Consents;
  changedBy: string;
  changedAt: string;
}

const toView = (r: PreferenceRow): PreferenceVersion => ({
  version: r.version,
  preferences: r.preferences,
  consents: r.consents,
  changedBy: r.changed_by,
  changedAt: r.changed_at.toISOString(),
});

const newest = (deps: CustomerDeps, customerId: string) =>
  deps.db
    .selectFrom('preference_versions')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();

/** The current view is the newest version (CS-P1-03). */
export async function getPreferences(deps: CustomerDeps, customerId: string): Promise<PreferenceVersion> {
  await ownRow(deps, customerId);
  return toView(await newest(deps, customerId));
}

/** History, newest first, keyset-paged by version. */
export async function preferenceHistory(
  deps: CustomerDeps,
  customerId: string,
  page: { limit: number; beforeVersion?: number | undefined },
): Promise<{ items: PreferenceVersion[]; nextVersion: number | null }> {
  await ownRow(deps, customerId);
  let q = deps.db
    .selectFrom('preference_versions')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('version', 'desc')
    .limit(page.limit + 1);
  if (page.beforeVersion !== undefined) q = q.where('version', '<', page.beforeVersion);
  const rows = await q.execute();
  const items = rows.slice(0, page.limit).map(toView);
  return { items, nextVersion: rows.length > page.limit ? (items.at(-1)?.version ?? null) : null };
}

/**
 * Appends a version (never updates one). With `expectedVersion` it is an optimistic lock; without,
 * it appends after the newest. Either way the primary key (customer, version) lets only one of two
 * concurrent writers have a given version: the other gets 409.
 */
export async function putPreferences(
  ctx: Ctx,
  deps: CustomerDeps,
  customerId: string,
  input: { preferences?: Partial<Preferences> | undefined; consents?: Partial<Consents> | undefined },
  expectedVersion: number | undefined,
): Promise<PreferenceVersion> {
  await ownRow(deps, customerId);
  const current = await newest(deps, customerId);
  if (expectedVersion !== undefined && expectedVersion !== current.version)
    throw conflict(
      `Preferences are at version ${current.version}, you sent ${expectedVersion}; reload and retry`,
    );
  const now = deps.clock.now();
  const row = await deps.db
    .insertInto('preference_versions')
    .values({
      customer_id: customerId,
      version: current.version + 1,
      // PUT with a partial body changes the keys it names; the stored version is always complete.
      preferences: JSON.stringify({ ...current.preferences, ...defined(input.preferences) }),
      consents: JSON.stringify({ ...current.consents, ...defined(input.consents) }),
      changed_by: actorId(ctx),
      changed_at: now,
    })
    .onConflict((oc) => oc.columns(['customer_id', 'version']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw conflict('Preferences were changed meanwhile; reload and retry');
  ctx.logger.info({ customerId, version: row.version }, 'preferences changed');
  return toView(row);
}

const defined = <T extends object>(o: T | undefined): Partial<T> =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
