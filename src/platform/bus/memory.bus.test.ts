import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../contracts/index.js';
import { createMemoryBus } from './memory.bus.js';

const envelope = (id: string): EventEnvelope => ({
  specversion: '1.0',
  id,
  source: 'catalog',
  type: 'catalog.product.created',
  subject: 'p1',
  time: new Date().toISOString(),
  datacontenttype: 'application/json',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  schemaversion: '1',
  data: {},
});

describe('memory bus', () => {
  it('does not redeliver an event the subscription already settled when the relay offers it again', async () => {
    const bus = createMemoryBus({ settleTimeoutMs: 1000 });
    const seen: string[] = [];
    await bus.subscribe(
      'test.once',
      ['catalog.product.created'],
      async (delivery) => {
        seen.push((delivery.envelope as EventEnvelope).id);
        return { kind: 'ack' };
      },
      { concurrency: 1, ackWaitMs: 1000 },
    );
    expect(await bus.publish([envelope('e1')])).toEqual([undefined]);
    // The relay's late re-offer (its wait timed out while the handler was still retrying).
    expect(await bus.publish([envelope('e1')])).toEqual([undefined]);
    expect(await bus.publish([envelope('e2')])).toEqual([undefined]);
    expect(seen).toEqual(['e1', 'e2']);
    await bus.close();
  });
});
