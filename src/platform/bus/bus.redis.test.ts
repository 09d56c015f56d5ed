import { Redis } from 'ioredis';
import { startTcpProxy, testLogger, uniqueName } from '../eventing/eventing.fixtures.js';
import { describeBusScenarios } from './bus.scenarios.js';
import { createRedisBus } from './redis.bus.js';

const url = process.env.REDIS_URL;

describeBusScenarios(
  'redis',
  async () => {
    const proxy = await startTcpProxy(url!);
    const prefix = uniqueName('t');
    const bus = createRedisBus({
      url: proxy.url,
      prefix,
      maxLen: 10_000,
      logger: testLogger(),
      blockMs: 100,
      reclaimIntervalMs: 50,
    });
    return {
      bus,
      down: () => proxy.down(),
      up: () => proxy.up(),
      cleanup: async () => {
        await bus.close();
        await proxy.close();
        const redis = new Redis(url!);
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
        redis.disconnect();
      },
    };
  },
  !url,
);
