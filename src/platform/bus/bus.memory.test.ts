import { describeBusScenarios } from './bus.scenarios.js';
import { createMemoryBus } from './memory.bus.js';

describeBusScenarios('memory', async () => {
  const bus = createMemoryBus({ settleTimeoutMs: 500 });
  return {
    bus,
    down: () => bus.setAvailable(false),
    up: () => bus.setAvailable(true),
    cleanup: () => bus.close(),
  };
});
