import { sql } from 'kysely';
import type { EventEnvelope, EventPayload, Topic } from '../src/contracts/index.js';
import { buildEnvelope } from '../src/platform/outbox/outbox.publisher.js';
import type { TestPlatform } from './harness.js';

/** Shared steps of the analytics tests (not a test file itself). */
export const ANALYTICS_ENV: Record<string, string> = {
  ANALYTICS_PII_HASH_KEY: 'analytics-test-key-0123456789abcdef0123456789',
  ANALYTICS_INGEST_FLUSH_MS: '10',
  ANALYTICS_HOURLY_CRON: '0 0 1 1 *',
  ANALYTICS_DAILY_CRON: '0 0 1 1 *',
  ANALYTICS_RETENTION_CRON: '0 0 1 1 *',
  ANALYTICS_RECONCILIATION_CRON: '0 0 1 1 *',
  RATE_LIMIT_ENABLED: 'false',
};

export const envelope = <T extends Topic>(topic: T, key: string, payload: EventPayload<T>): EventEnvelope =>
  buildEnvelope(topic, key, payload);

export async function publish(platform: TestPlatform, envelopes: EventEnvelope[]): Promise<void> {
  const errors = await platform.orderline.eventing.bus().publish(envelopes);
  if (errors.some(Boolean)) throw new Error(`publish failed: ${errors.find(Boolean)}`);
}

/** Every row of every analytics table as text (the PII scan reads these). */
export async function analyticsDump(platform: TestPlatform): Promise<string> {
  const db = platform.orderline.database.root;
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'analytics' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(db);
  const parts: string[] = [];
  for (const { table_name } of tables.rows) {
    const rows = await sql.raw(`SELECT * FROM analytics."${table_name}"`).execute(db);
    parts.push(
      `${table_name}: ${JSON.stringify(rows.rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`,
    );
  }
  return parts.join('\n');
}

export const ANALYTICS_REPORTS = [
  '/analytics/dashboard/overview',
  '/analytics/revenue',
  '/analytics/orders',
  '/analytics/products/performance',
  '/analytics/customers/summary',
  '/analytics/inventory',
  '/analytics/realtime',
];
