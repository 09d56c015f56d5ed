import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contractProblems } from '../platform/eventing/topology.js';
import { exportContracts } from './contracts.export.js';
import { eventContracts, findContract, topics } from './index.js';

describe('event catalog', () => {
  it('has no dead topics: every topic is heard, or its outside audience or deferred consumers are declared with a reason (A9)', () => {
    expect(contractProblems(eventContracts)).toEqual([]);
    // The registry test (src/runtime/topology.test.ts) checks consumers and publishers against the modules.
  });

  it("keeps the seeds' dead order topics out", () => {
    expect(topics()).not.toContain('orders.order.completed');
    expect(topics()).not.toContain('orders.order.cancelled');
  });

  it('describes product events completely', () => {
    const created = findContract('catalog.product.created')!;
    const payload = {
      productId: '0190a0f4-7b7a-7cc1-9a55-3c1f8a0f4d11',
      sku: 'MUG-1',
      name: 'Blue mug',
      category: null,
      status: 'active',
      occurredAt: new Date().toISOString(),
    };
    expect(created.schema.safeParse(payload).success).toBe(true);
    expect(created.schema.safeParse({ ...payload, category: 'Not A Slug' }).success).toBe(false);
    expect(created.schema.safeParse({ ...payload, sku: undefined }).success).toBe(false);
    const updated = findContract('catalog.product.updated', 1)!;
    expect(updated.schema.safeParse({ ...payload, changedFields: ['name'], version: 2 }).success).toBe(true);
  });

  it('exports a JSON Schema per topic and version', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'contracts-'));
    try {
      const files = await exportContracts(dir);
      expect(files).toContain('catalog.product.created.v1.schema.json');
      expect(files).toHaveLength(eventContracts.length + 2);
      const schema = JSON.parse(await readFile(join(dir, 'catalog.product.created.v1.schema.json'), 'utf8'));
      expect(schema.required).toEqual(
        expect.arrayContaining(['productId', 'sku', 'name', 'category', 'status', 'occurredAt']),
      );
      const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
      expect(index.find((e: { topic: string }) => e.topic === 'catalog.product.created').publisher).toBe(
        'catalog',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
