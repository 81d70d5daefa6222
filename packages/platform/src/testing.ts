// Unit-test helpers only: in-memory fakes of the Dapr ports. System tests use real sidecars.
export {
  createMemoryDapr,
  MemoryBindings,
  MemoryInvoker,
  MemoryJobScheduler,
  MemoryLockStore,
  MemoryPublisher,
  MemoryStateStore,
  MemorySidecarHealth,
  MemorySecretReader,
  MemorySidecarMetadata,
  type BindingCall,
  type BindingHandler,
  type FakeHandler,
  type FakeRequest,
  type MemoryDapr,
  type PublishedEvent,
} from './dapr/memory.ts';
