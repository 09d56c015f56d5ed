import { describe, expect, it } from 'vitest';
import { defineConsumer } from './declarations.js';
import { deadTopics, validateTopology } from './eventing.js';

describe('eventing topology', () => {
  it('accepts modules that publish their own topics and consume under their own name', () => {
    const consumer = defineConsumer({
      subscription: 'warehouse.product-created',
      topic: 'catalog.product.created',
      handle: async () => {},
    });
    expect(
      validateTopology([
        { name: 'catalog', publishes: ['catalog.product.created'] },
        { name: 'warehouse', consumers: [consumer] },
      ]),
    ).toEqual([]);
  });

  it("refuses publishing another service's topic, foreign subscription names and duplicates", () => {
    const c = defineConsumer({
      subscription: 'pricing.product-created',
      topic: 'catalog.product.created',
      handle: async () => {},
    });
    const problems = validateTopology([
      { name: 'warehouse', publishes: ['catalog.product.created'], consumers: [c, c] },
    ]);
    expect(problems).toEqual([
      'warehouse publishes catalog.product.created, whose contract names catalog as publisher',
      'subscription pricing.product-created must be named <service>.<purpose> (warehouse.…)',
      'subscription pricing.product-created must be named <service>.<purpose> (warehouse.…)',
      'subscription pricing.product-created is declared twice',
    ]);
  });

  it('finds dead topics among the declared modules', () => {
    const consumer = defineConsumer({
      subscription: 'warehouse.product-created',
      topic: 'catalog.product.created',
      handle: async () => {},
    });
    expect(deadTopics([{ name: 'warehouse', consumers: [consumer] }])).toEqual([
      'catalog.product.created is consumed but never published',
    ]);
    expect(deadTopics([{ name: 'catalog', publishes: ['catalog.product.updated'] }])).toEqual([
      'catalog.product.updated is published but has no consumer and no outside audience',
    ]);
    expect(
      deadTopics([
        { name: 'catalog', publishes: ['catalog.product.created'] },
        { name: 'warehouse', consumers: [consumer] },
      ]),
    ).toEqual([]);
  });
});
