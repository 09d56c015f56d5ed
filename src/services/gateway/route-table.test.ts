import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../../test/harness.js';
import { createLogger } from '../../platform/logging/logger.js';
import { ROUTE_TABLE } from './route-table.generated.js';
import { collectRouteTable } from './route-table.js';

/** The gateway process routes by the generated table: it must equal the modules' registrations. */
describe('gateway route table', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform('pglite');
  });
  afterAll(() => platform?.close());

  it('route-table.generated.ts is up to date (npm run routes -- --write)', async () => {
    const table = await collectRouteTable(platform.orderline.modules, createLogger({ level: 'silent' }));
    expect(ROUTE_TABLE).toEqual(table);
  });

  it('names one service per method and path, and every module route is in the embedded app', () => {
    const keys = ROUTE_TABLE.map((r) => `${r.method} ${r.url}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of ROUTE_TABLE)
      expect(platform.app.hasRoute({ method: r.method as 'GET', url: r.url }), `${r.method} ${r.url}`).toBe(
        true,
      );
  });
});
