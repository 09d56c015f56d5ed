import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './harness.js';

const RULES = readFileSync(new URL('../deploy/prometheus/orderline-alerts.yaml', import.meta.url), 'utf8');

/** Base metric names the alert expressions use (histogram suffixes folded to the histogram). */
function metricsInRules(): string[] {
  const names = new Set<string>();
  for (const match of RULES.matchAll(/\b(orderline_[a-z_]+)/g))
    names.add(match[1]!.replace(/_(count|sum|bucket)$/, ''));
  return [...names].sort();
}

describe('alert rules', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    // Every service: the rules name metrics of each (eventing, jobs, returns, shipping).
    platform = await startTestPlatform('pglite');
  });
  afterAll(() => platform.close());

  it('reference only metrics the platform exports', async () => {
    await platform.app.inject({ method: 'GET', url: '/healthz' });
    const res = await platform.app.inject({ method: 'GET', url: '/metrics' });
    const exported = new Set([...res.body.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const used = metricsInRules();
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
  });
});
