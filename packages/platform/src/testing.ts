// Unit-test helpers only: in-memory fakes of the Dapr ports. System tests use real sidecars.
export {
  createMemoryDapr,
  MemoryBindings,
  MemoryInvoker,
  MemoryPublisher,
  MemoryStateStore,
  MemorySidecarHealth,
  MemorySecretReader,
  type BindingCall,
  type BindingHandler,
  type FakeHandler,
  type FakeRequest,
  type MemoryDapr,
  type PublishedEvent,
} from './dapr/memory.ts';
