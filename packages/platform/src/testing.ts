// Unit-test helpers only: in-memory fakes of the Dapr ports. System tests use real sidecars.
export {
  createMemoryDapr,
  MemoryInvoker,
  MemoryPublisher,
  MemoryStateStore,
  MemorySidecarHealth,
  MemorySecretReader,
  type FakeHandler,
  type FakeRequest,
  type MemoryDapr,
  type PublishedEvent,
} from './dapr/memory.ts';
