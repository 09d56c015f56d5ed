import { startTcpProxy, testLogger, uniqueName } from '../eventing/eventing.fixtures.js';
import { describeBusScenarios } from './bus.scenarios.js';
import { createNatsBus, deleteNatsStream } from './nats.bus.js';

const url = process.env.NATS_URL;

describeBusScenarios(
  'nats',
  async () => {
    const proxy = await startTcpProxy(url!);
    const prefix = uniqueName('t');
    const bus = await createNatsBus({
      url: proxy.url,
      prefix,
      logger: testLogger(),
      publishTimeoutMs: 500,
      reconnectWaitMs: 100,
    });
    return {
      bus,
      down: () => proxy.down(),
      up: () => proxy.up(),
      cleanup: async () => {
        await bus.close();
        await proxy.close();
        await deleteNatsStream(url!, prefix);
      },
    };
  },
  !url,
);
