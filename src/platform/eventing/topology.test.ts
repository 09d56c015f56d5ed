import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent, type EventContract } from '../../contracts/index.js';
import { defineConsumer } from './declarations.js';
import { contractProblems, deadTopics, validateTopology } from './topology.js';

const schema = z.object({});
const created = defineEvent({
  topic: 'catalog.product.created',
  version: 1,
  publisher: 'catalog',
  consumers: ['warehouse'],
  deferredConsumers: { analytics: 'not built' },
  key: 'product id',
  description: 'test',
  schema,
});
const updated = defineEvent({
  topic: 'catalog.product.updated',
  version: 1,
  publisher: 'catalog',
  consumers: [],
  outsideAudience: 'the search indexer',
  key: 'product id',
  description: 'test',
  schema,
});
const contracts: EventContract[] = [created, updated];
const consumer = defineConsumer({
  subscription: 'warehouse.product-created',
  topic: 'catalog.product.created',
  handle: async () => {},
});
const knownServices = ['catalog', 'warehouse', 'pricing'];
const catalog = {
  name: 'catalog',
  publishes: ['catalog.product.created', 'catalog.product.updated'] as const,
};

describe('eventing topology', () => {
  it('accepts modules that publish their topics and consume what their contracts say', () => {
    expect(
      validateTopology([catalog, { name: 'warehouse', consumers: [consumer] }], { contracts, knownServices }),
    ).toEqual([]);
  });

  it("refuses publishing another service's topic, foreign subscription names and duplicates", () => {
    const c = defineConsumer({
      subscription: 'pricing.product-created',
      topic: 'catalog.product.created',
      handle: async () => {},
    });
    const problems = validateTopology(
      [{ name: 'warehouse', publishes: ['catalog.product.created'], consumers: [c, c] }],
      { contracts, knownServices },
    );
    expect(problems).toEqual([
      'warehouse publishes catalog.product.created, whose contract names catalog as publisher',
      'subscription pricing.product-created must be named <service>.<purpose> (warehouse.…)',
      'subscription pricing.product-created must be named <service>.<purpose> (warehouse.…)',
      'subscription pricing.product-created is declared twice',
    ]);
  });

  it('refuses a declared topic its publisher never publishes', () => {
    expect(
      validateTopology([{ name: 'catalog', publishes: ['catalog.product.created'] }], {
        contracts,
        knownServices,
      }),
    ).toEqual(['catalog.product.updated names catalog as publisher, but catalog never publishes it']);
  });

  it("keeps each contract's consumer list equal to the registered consumers", () => {
    // The contract claims warehouse; warehouse registers nothing.
    expect(validateTopology([catalog, { name: 'warehouse' }], { contracts, knownServices })).toEqual([
      'catalog.product.created lists warehouse as consumer, but warehouse registers no consumer of it',
    ]);
    // Pricing consumes a topic whose contract does not list it.
    const pricing = defineConsumer({
      subscription: 'pricing.product-updated',
      topic: 'catalog.product.updated',
      handle: async () => {},
    });
    expect(
      validateTopology([catalog, { name: 'pricing', consumers: [pricing] }], { contracts, knownServices }),
    ).toEqual(['pricing consumes catalog.product.updated, whose contract does not list it as consumer']);
  });

  it('requires every topic to be heard, or its deferral or outside audience to be declared with a reason', () => {
    const silent = { ...updated, outsideAudience: undefined } as EventContract;
    expect(contractProblems([created, silent])).toEqual([
      'catalog.product.updated has no consumer, no outside audience and no deferred consumer: nobody hears it',
    ]);
    const both = { ...created, deferredConsumers: { warehouse: ' ' } } as EventContract;
    expect(contractProblems([both], ['catalog', 'warehouse'])).toEqual([
      'catalog.product.created defers warehouse without a reason',
      'catalog.product.created lists warehouse both as consumer and as deferred',
    ]);
    expect(contractProblems([created], ['catalog'])).toEqual([
      'catalog.product.created lists warehouse as consumer, which is not a registered service',
    ]);
  });

  it('finds dead topics among the declared modules', () => {
    expect(deadTopics([{ name: 'warehouse', consumers: [consumer] }])).toEqual([
      'catalog.product.created is consumed but never published',
    ]);
    expect(deadTopics([catalog, { name: 'warehouse', consumers: [consumer] }])).toEqual([]);
  });
});
