import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import type { EventBus } from './bus.types.js';
import { createMemoryBus } from './memory.bus.js';
import { createNatsBus } from './nats.bus.js';
import { createRedisBus } from './redis.bus.js';

/** Chooses the adapter from BUS_URL: `memory` (embedded default), `redis://…` or `nats://…`. */
export async function createBus(
  config: Pick<Config, 'BUS_URL' | 'BUS_PREFIX' | 'BUS_STREAM_MAXLEN' | 'BUS_PUBLISH_TIMEOUT_MS'>,
  logger: Logger,
): Promise<EventBus> {
  const url = config.BUS_URL;
  if (url === 'memory') {
    return createMemoryBus({
      settleTimeoutMs: Math.max(50, config.BUS_PUBLISH_TIMEOUT_MS - 50),
      onError: (err, subscription) => logger.error({ err, subscription }, 'memory bus handler failed'),
    });
  }
  if (/^rediss?:\/\//.test(url)) {
    return createRedisBus({ url, prefix: config.BUS_PREFIX, maxLen: config.BUS_STREAM_MAXLEN, logger });
  }
  if (url.startsWith('nats://')) {
    return createNatsBus({
      url,
      prefix: config.BUS_PREFIX,
      logger,
      publishTimeoutMs: config.BUS_PUBLISH_TIMEOUT_MS,
    });
  }
  throw new Error(`BUS_URL: unsupported bus ${url}`);
}
