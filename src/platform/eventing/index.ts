/** The eventing facade: what the runtime, the CLI and service modules import. */

export { createBus } from '../bus/bus.factory.js';
export type { BusSubscription, Delivery, Disposition, EventBus } from '../bus/bus.types.js';
export { createMemoryBus, type MemoryBus } from '../bus/memory.bus.js';
export { addDeadLetter } from '../inbox/dead-letter.store.js';
export { decodeEnvelope, freshEvents, processOnce } from '../inbox/inbox.js';
export {
  type OutboxTransaction,
  type PublishOptions,
  publish,
  transaction,
} from '../outbox/outbox.publisher.js';
export { recordFailedCompensation } from '../saga/compensation.store.js';
export type { CompensationHandler, CompensationHandlers } from '../saga/compensation.types.js';
export { recordStep, recordSteps, sagaSteps, stepIdempotencyKey } from '../saga/saga.log.js';
export {
  type AnyConsumerDeclaration,
  type ConsumerContext,
  type ConsumerDeclaration,
  defineConsumer,
  type JobContext,
  type JobDeclaration,
} from './declarations.js';
export { createEventing, type Eventing, type EventingModule, type EventingOptions } from './eventing.js';
export { createOperations, type Operations } from './operations.js';
export { registerOperationsRoutes } from './operations.routes.js';
export { type PlatformTables, platformMigrations } from './platform.tables.js';
export {
  contractProblems,
  deadTopics,
  type TopologyModule,
  type TopologyOptions,
  validateTopology,
} from './topology.js';
