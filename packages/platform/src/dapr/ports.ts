/**
 * The ports business code depends on. Nothing here imports Dapr: the Dapr adapters (dapr.adapters.ts) and the
 * in-memory fakes (memory.ts, unit tests only) both implement these interfaces.
 */
import { AppError } from '../errors.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined | readonly (string | number | boolean)[];

export interface InvokeRequest {
  /** Default: POST when a body is given, else GET. */
  httpMethod?: HttpMethod;
  /** Appended to the method's own `?query`, if it has one; undefined values are left out. */
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Client-side limit; Dapr resiliency policies apply their own timeouts on top. Default 15 s. */
  timeoutMs?: number;
}

export interface InvokeResponse<T> {
  status: number;
  body: T;
}

/**
 * Thrown by ServiceInvoker.invoke for every answer outside 2xx, so `body: T` on success never lies.
 * `status` is the HTTP status the caller got (the target's own, or Dapr's when Dapr itself failed, e.g. an
 * unknown app-id), or 0 when no HTTP answer came at all (sidecar unreachable, timeout). `body` is the parsed
 * answer: for our services a problem+json object, which the kit's error handler passes through unchanged
 * for 4xx (a 400 from catalog reaches the gateway's client as that same 400); 5xx and 0 become a 502.
 */
export class InvokeError extends Error {
  readonly appId: string;
  readonly method: string;
  readonly status: number;
  readonly body: unknown;

  constructor(appId: string, method: string, status: number, body: unknown, cause?: unknown) {
    super(`invoke ${appId}/${method} failed: ${status === 0 ? 'no answer' : `status ${status}`}`, { cause });
    this.name = 'InvokeError';
    this.appId = appId;
    this.method = method;
    this.status = status;
    this.body = body;
  }
}

export interface ServiceInvoker {
  /** Calls `method` (a path, may carry `?query`) on the app `appId`; throws InvokeError unless 2xx. */
  invoke<T = unknown>(appId: string, method: string, request?: InvokeRequest): Promise<InvokeResponse<T>>;
}

export interface PublishOptions {
  /** CloudEvent id; pass a business key (e.g. order id + event name) so consumers can dedupe. */
  id?: string;
  /** Extra Dapr publish metadata (e.g. ttlInSeconds). */
  metadata?: Record<string, string>;
}

/** Publishes `data` as the CloudEvent `type` to `topic` on the one logical pub/sub (`pubsub`). */
export interface EventPublisher {
  publish(topic: string, type: string, data: unknown, options?: PublishOptions): Promise<void>;
}

export class PublishError extends Error {
  readonly topic: string;
  readonly status: number;
  constructor(topic: string, type: string, status: number, cause?: unknown) {
    super(`publish ${type} to ${topic} failed: ${status === 0 ? 'no answer' : `status ${status}`}`, { cause });
    this.name = 'PublishError';
    this.topic = topic;
    this.status = status;
  }
}

export interface StateEntry<T> {
  value: T;
  etag: string;
}

export interface SaveOptions {
  /** Optimistic concurrency: the save fails with StateConflictError unless the stored etag still matches. */
  etag?: string;
  /** Expire the key after this many seconds (Dapr `ttlInSeconds` metadata). */
  ttlInSeconds?: number;
}

export interface StateStore {
  readonly storeName: string;
  get<T>(key: string): Promise<StateEntry<T> | undefined>;
  save<T>(key: string, value: T, options?: SaveOptions): Promise<void>;
  /** Deleting a missing key is not an error; with `etag` it is conditional like save. */
  delete(key: string, options?: { etag?: string }): Promise<void>;
}

/** The etag given no longer matches (someone else wrote first): re-read and retry, or answer 409. */
export class StateConflictError extends AppError {
  readonly key: string;
  constructor(key: string) {
    super(409, 'STATE.CONFLICT', 'The resource was changed by another request; reload and retry.');
    this.name = 'StateConflictError';
    this.key = key;
  }
}

export interface SidecarHealth {
  /** True when the sidecar's outbound side (components, pub/sub) is ready. */
  isReady(): Promise<boolean>;
}

/** Secrets (JWT keys, PII keys, API keys) come only from the Dapr secret store, never from env or files. */
export interface SecretReader {
  /** The secret's value; throws when the store or the secret is missing (fail fast at start). */
  get(name: string, storeName?: string): Promise<string>;
}

/**
 * Dapr output bindings (POST /v1.0/bindings/<name>): email through `bindings.smtp`, and whatever else a component
 * puts behind a name. Which system answers is the component's business, never the caller's.
 */
export interface BindingInvoker {
  /**
   * Runs `operation` (e.g. `create`) on the binding `name` with `data` and per-request `metadata` (e.g. `emailTo`,
   * `subject`); resolves to the binding's answer (parsed JSON, text, or undefined when empty), throws BindingError
   * unless the sidecar answered 2xx.
   */
  invoke<T = unknown>(name: string, operation: string, data?: unknown, metadata?: Record<string, string>): Promise<T | undefined>;
}

/** `status` is the sidecar's HTTP answer (0 when none came: sidecar unreachable, timeout); `body` its parsed error. */
export class BindingError extends Error {
  readonly binding: string;
  readonly operation: string;
  readonly status: number;
  readonly body: unknown;
  constructor(binding: string, operation: string, status: number, body: unknown, cause?: unknown) {
    super(`binding ${binding}/${operation} failed: ${status === 0 ? 'no answer' : `status ${status}`}`, { cause });
    this.name = 'BindingError';
    this.binding = binding;
    this.operation = operation;
    this.status = status;
    this.body = body;
  }
}

/** What the scheduler does when the app answers a trigger with anything but 2xx (404 counts as done). */
export type JobFailurePolicy = { drop: Record<string, never> } | { constant: { interval: string; maxRetries?: number } };

/** A Dapr job (POST /v1.0/jobs/<name>); at least one of `schedule` and `dueTime`. */
export interface JobSpec {
  /** Recurring: a cron expression or `@every <Go duration>` (`@every 1s`). */
  schedule?: string;
  /** The first (or, without `schedule`, only) trigger: an RFC 3339 time or a Go duration from now (`1.5s`). */
  dueTime?: string;
  repeats?: number;
  ttl?: string;
  /** Delivered back as the JSON body of POST /job/<name>. */
  data?: unknown;
  failurePolicy?: JobFailurePolicy;
  /** Replace a job of that name (else scheduling an existing name fails). */
  overwrite?: boolean;
}

/**
 * Dapr's Jobs API. Jobs are stored by the Scheduler per namespace and app-id (so names never collide across apps),
 * and each trigger is delivered to ONE replica of the app-id (its sidecar POSTs /job/<name>); if that replica is
 * gone the Scheduler delivers to another.
 */
export interface JobScheduler {
  schedule(name: string, job: JobSpec): Promise<void>;
  /** Deleting a job that does not exist is not an error. */
  delete(name: string): Promise<void>;
}

/** `status` is the sidecar's HTTP answer (0 when none came); `body` its parsed error. */
export class JobError extends Error {
  readonly job: string;
  readonly status: number;
  readonly body: unknown;
  constructor(job: string, op: string, status: number, body: unknown, cause?: unknown) {
    super(`job ${op} ${job} failed: ${status === 0 ? 'no answer' : `status ${status}`}`, { cause });
    this.name = 'JobError';
    this.job = job;
    this.status = status;
    this.body = body;
  }
}

/** How an unlock ended: released, or the lease was already gone (expired), or someone else holds it now. */
export type UnlockStatus = 'released' | 'missing' | 'not-owner';

/**
 * Dapr's distributed lock API (a `lock.*` component): a lease on `resourceId` held by `owner` for `expiryInSeconds`
 * unless released first. Lock keys are prefixed with the app-id by Dapr, so apps never contend with each other.
 */
export interface LockStore {
  readonly storeName: string;
  /** true: the lease is ours; false: someone holds it. Throws when the store could not answer. */
  tryLock(resourceId: string, owner: string, expiryInSeconds: number): Promise<boolean>;
  unlock(resourceId: string, owner: string): Promise<UnlockStatus>;
}

/** A component the sidecar loaded, as its metadata API lists it. */
export interface ComponentInfo {
  name: string;
  /** e.g. `state.redis`, `lock.redis`. */
  type: string;
  version: string;
  capabilities: string[];
}

/** The sidecar's own description of itself (GET /v1.0/metadata). */
export interface SidecarMetadata {
  components(): Promise<ComponentInfo[]>;
}

/** Everything a service gets from the kit; createService builds the Dapr one, tests use createMemoryDapr(). */
export interface DaprPorts {
  invoker: ServiceInvoker;
  publisher: EventPublisher;
  bindings: BindingInvoker;
  state(storeName?: string): StateStore;
  secrets: SecretReader;
  health: SidecarHealth;
  jobs: JobScheduler;
  locks(storeName?: string): LockStore;
  metadata: SidecarMetadata;
}
