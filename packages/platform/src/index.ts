// The GlobalMart service kit. A service's main.ts: createService → its adapters → its routes → start().
export { createService, type RunningService, type Service, type ServiceOptions } from './service.ts';
export { createApp, finalizeApp, type AppOptions } from './app.ts';
export { loadConfig, ConfigError, baseConfigShape, type BaseConfig, type Config, type ConfigShape } from './config.ts';
export { createLogger, traceFields, type Logger } from './logger.ts';
export { startTelemetry, shutdownTelemetry, isTelemetryStarted, metricsEndpoint, type TelemetryOptions } from './telemetry.ts';
export { currentTraceCarrier, inSpan, type TraceCarrier } from './telemetry.spans.ts';
export { platformMetrics, timed, type PlatformInstruments } from './metrics.ts';
export { AppError, isAppError, badRequest, unauthorized, forbidden, notFound, conflict, unprocessable, unavailable } from './errors.ts';
export { problem, sendProblem, toProblem, errorHandler, notFoundHandler, type Problem } from './problem.ts';
export { parseBody, parseQuery, parseParams } from './validate.ts';
export { Readiness, type ReadinessCheck, type ReadinessReport, type CheckResult } from './readiness.ts';
export { requireAppToken } from './app-token.middleware.ts';
export { connectMongo, type Mongo } from './mongo.connect.ts';
export {
  callerOf,
  callingApp,
  isServiceCall,
  enforceCallers,
  CALLER_APP_HEADER,
  requireUser,
  requireAdmin,
  canRead,
  identityHeaders,
  Role,
  USER_ID_HEADER,
  USER_ROLE_HEADER,
  type Caller,
} from './caller.ts';
export {
  BindingError,
  InvokeError,
  JobError,
  PublishError,
  StateConflictError,
  type BindingInvoker,
  type ComponentInfo,
  type DaprPorts,
  type EventPublisher,
  type HttpMethod,
  type InvokeRequest,
  type InvokeResponse,
  type JobFailurePolicy,
  type JobScheduler,
  type JobSpec,
  type LockStore,
  type PublishOptions,
  type SaveOptions,
  type SecretReader,
  type ServiceInvoker,
  type SidecarHealth,
  type SidecarMetadata,
  type StateEntry,
  type StateStore,
  type UnlockStatus,
} from './dapr/ports.ts';
export { casUpdate, createIfAbsent, type CasOptions, type Change } from './dapr/state-cas.ts';
export { jsonBytes } from './dapr/dapr.invoker.ts';
export { every, type Periodic } from './periodic.ts';
export { Jobs, type KeyedJobOptions, type KeyedJobs } from './jobs.ts';
export { KeyedLock, KeyedMutex, type KeyedLockOptions, type KeyedRunner } from './locks.ts';
export {
  Subscriptions,
  type DeadLetterEvent,
  type DeadLetterHandler,
  type DeliveryStatus,
  type EventHandler,
  type EventMeta,
} from './subscriptions.ts';
export {
  KID_PATTERN,
  KeyringError,
  addActiveKey,
  keyringFromSpec,
  legacyKid,
  newKid,
  parseKeyring,
  parseKeyringSpec,
  stringifyKeyring,
  type Keyring,
  type KeyringSpec,
} from './keyring.ts';
export {
  PII_ENCRYPTION_KEY,
  createPiiProtector,
  decodeKey32,
  isSealed,
  loadPiiProtector,
  normalizeEmail,
  openFields,
  piiKeyring,
  sealFields,
  type PiiProtector,
  type Sealed,
} from './pii.ts';
