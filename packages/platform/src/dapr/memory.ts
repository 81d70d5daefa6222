/**
 * In-memory fakes of the Dapr ports, for UNIT tests only (system tests use real sidecars). Values cross a
 * JSON round trip like they would over the wire, so a test cannot pass by sharing object references.
 */
import {
  InvokeError,
  type BindingInvoker,
  type ComponentInfo,
  type DaprPorts,
  type EventPublisher,
  type HttpMethod,
  type InvokeRequest,
  type InvokeResponse,
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
  StateConflictError,
} from './ports.ts';

const wire = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)));

export interface FakeRequest {
  httpMethod: HttpMethod;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string>;
}
export type FakeHandler = (req: FakeRequest) => { status?: number; body?: unknown } | Promise<{ status?: number; body?: unknown }>;

/** Register handlers per app-id and path; a non-2xx answer is thrown as InvokeError, like the real adapter. */
export class MemoryInvoker implements ServiceInvoker {
  readonly calls: { appId: string; method: string; request: InvokeRequest }[] = [];
  #handlers = new Map<string, FakeHandler>();

  /** `path` without query; `httpMethod` omitted = any method. */
  on(appId: string, path: string, handler: FakeHandler, httpMethod?: HttpMethod): this {
    this.#handlers.set(`${appId} ${httpMethod ?? '*'} ${path.replace(/^\//, '')}`, handler);
    return this;
  }

  async invoke<T = unknown>(appId: string, method: string, request: InvokeRequest = {}): Promise<InvokeResponse<T>> {
    this.calls.push({ appId, method, request });
    const [path = '', search = ''] = method.replace(/^\//, '').split('?', 2);
    const httpMethod = request.httpMethod ?? (request.body === undefined ? 'GET' : 'POST');
    const handler = this.#handlers.get(`${appId} ${httpMethod} ${path}`) ?? this.#handlers.get(`${appId} * ${path}`);
    if (!handler) throw new Error(`MemoryInvoker: no handler for ${appId} ${httpMethod} /${path}`);
    const query = new URLSearchParams(search);
    for (const [k, v] of Object.entries(request.query ?? {})) {
      if (v !== undefined) for (const item of [v].flat()) query.append(k, String(item));
    }
    const headers = { ...request.headers };
    const answer = await handler({ httpMethod, path: `/${path}`, query, body: wire(request.body), headers });
    const status = answer.status ?? 200;
    const body = wire(answer.body);
    if (status < 200 || status > 299) throw new InvokeError(appId, method, status, body);
    return { status, body: body as T };
  }
}

export interface PublishedEvent {
  topic: string;
  type: string;
  data: unknown;
  id: string | undefined;
  metadata: Record<string, string>;
}

/** Records what was published; `ofType` reads the events of one CloudEvent type. */
export class MemoryPublisher implements EventPublisher {
  readonly published: PublishedEvent[] = [];

  async publish(topic: string, type: string, data: unknown, options: PublishOptions = {}): Promise<void> {
    this.published.push({ topic, type, data: wire(data), id: options.id, metadata: { ...options.metadata } });
  }

  ofType(type: string): PublishedEvent[] {
    return this.published.filter((e) => e.type === type);
  }
}

/** Etags are opaque strings that change on every write, as with Dapr; TTL is honoured via `now`. */
export class MemoryStateStore implements StateStore {
  readonly storeName: string;
  #items = new Map<string, { json: string; etag: string; expiresAt: number | undefined }>();
  #version = 0;
  #now: () => number;

  constructor(storeName = 'statestore', now: () => number = Date.now) {
    this.storeName = storeName;
    this.#now = now;
  }

  #live(key: string) {
    const item = this.#items.get(key);
    if (item?.expiresAt !== undefined && item.expiresAt <= this.#now()) this.#items.delete(key);
    return this.#items.get(key);
  }

  async get<T>(key: string): Promise<StateEntry<T> | undefined> {
    const item = this.#live(key);
    return item && { value: JSON.parse(item.json) as T, etag: item.etag };
  }

  async save<T>(key: string, value: T, options: SaveOptions = {}): Promise<void> {
    const item = this.#live(key);
    if (options.etag !== undefined && item?.etag !== options.etag) throw new StateConflictError(key);
    const expiresAt = options.ttlInSeconds === undefined ? undefined : this.#now() + options.ttlInSeconds * 1000;
    this.#items.set(key, { json: JSON.stringify(value), etag: String(++this.#version), expiresAt });
  }

  async delete(key: string, options: { etag?: string } = {}): Promise<void> {
    const item = this.#live(key);
    if (options.etag !== undefined && item?.etag !== options.etag) throw new StateConflictError(key);
    this.#items.delete(key);
  }
}

export interface BindingCall {
  name: string;
  operation: string;
  data: unknown;
  metadata: Record<string, string>;
}
export type BindingHandler = (call: BindingCall) => unknown;

/**
 * Output bindings for unit tests: `on(name, handler)` decides the answer (what it returns, or what it throws, e.g. a
 * BindingError to play a failing SMTP relay); a binding without a handler answers undefined. `sent` records the
 * calls that succeeded (what really went out), `attempts` every call.
 */
export class MemoryBindings implements BindingInvoker {
  readonly sent: BindingCall[] = [];
  attempts = 0;
  #handlers = new Map<string, BindingHandler>();

  on(name: string, handler: BindingHandler): this {
    this.#handlers.set(name, handler);
    return this;
  }

  async invoke<T = unknown>(
    name: string,
    operation: string,
    data?: unknown,
    metadata: Record<string, string> = {},
  ): Promise<T | undefined> {
    this.attempts++;
    const call = { name, operation, data: wire(data), metadata: { ...metadata } };
    const answer = await this.#handlers.get(name)?.(call);
    this.sent.push(call);
    return wire(answer) as T | undefined;
  }
}

export class MemorySidecarHealth implements SidecarHealth {
  ready = true;
  async isReady(): Promise<boolean> {
    return this.ready;
  }
}

/** Records the jobs scheduled (the latest spec per name, as the Scheduler keeps it); a test triggers them itself. */
export class MemoryJobScheduler implements JobScheduler {
  readonly jobs = new Map<string, JobSpec>();
  /** Every schedule call, in order (a job overwritten twice shows up twice). */
  readonly scheduled: { name: string; job: JobSpec }[] = [];

  async schedule(name: string, job: JobSpec): Promise<void> {
    if (this.jobs.has(name) && !job.overwrite) throw new Error(`MemoryJobScheduler: job ${name} exists (no overwrite)`);
    const copy = wire(job);
    this.jobs.set(name, copy);
    this.scheduled.push({ name, job: copy });
  }

  async delete(name: string): Promise<void> {
    this.jobs.delete(name);
  }
}

/**
 * A lock store with leases, like lock.redis (SET NX with expiry; unlock only by the owner). Shared by every "replica"
 * a test builds on it; `now` drives expiry; `failNext` makes the next calls throw (a store outage).
 */
export class MemoryLockStore implements LockStore {
  readonly storeName: string;
  failNext = 0;
  /** tryLock calls, granted or not. */
  attempts = 0;
  #leases = new Map<string, { owner: string; expiresAt: number }>();
  #now: () => number;

  constructor(storeName = 'lockstore', now: () => number = Date.now) {
    this.storeName = storeName;
    this.#now = now;
  }

  #live(resourceId: string) {
    const lease = this.#leases.get(resourceId);
    if (lease && lease.expiresAt <= this.#now()) this.#leases.delete(resourceId);
    return this.#leases.get(resourceId);
  }

  #maybeFail(op: string) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error(`MemoryLockStore: ${op} failed (injected)`);
    }
  }

  async tryLock(resourceId: string, owner: string, expiryInSeconds: number): Promise<boolean> {
    this.attempts++;
    this.#maybeFail('tryLock');
    if (this.#live(resourceId)) return false;
    this.#leases.set(resourceId, { owner, expiresAt: this.#now() + expiryInSeconds * 1000 });
    return true;
  }

  async unlock(resourceId: string, owner: string): Promise<UnlockStatus> {
    this.#maybeFail('unlock');
    const lease = this.#live(resourceId);
    if (!lease) return 'missing';
    if (lease.owner !== owner) return 'not-owner';
    this.#leases.delete(resourceId);
    return 'released';
  }

  /** Who holds `resourceId` now (undefined: nobody, or the lease expired). */
  holder(resourceId: string): string | undefined {
    return this.#live(resourceId)?.owner;
  }
}

/** The components a fake sidecar reports: a Redis state store and lock store unless a test says otherwise. */
export class MemorySidecarMetadata implements SidecarMetadata {
  list: ComponentInfo[] = [
    { name: 'statestore', type: 'state.redis', version: 'v1', capabilities: ['ETAG', 'TRANSACTIONAL', 'TTL', 'ACTOR'] },
    { name: 'lockstore', type: 'lock.redis', version: 'v1', capabilities: [] },
  ];

  async components(): Promise<ComponentInfo[]> {
    return wire(this.list);
  }
}

export interface MemoryDapr extends DaprPorts {
  invoker: MemoryInvoker;
  publisher: MemoryPublisher;
  bindings: MemoryBindings;
  health: MemorySidecarHealth;
  secrets: MemorySecretReader;
  jobs: MemoryJobScheduler;
  metadata: MemorySidecarMetadata;
  state(storeName?: string): MemoryStateStore;
  locks(storeName?: string): MemoryLockStore;
}

/** Secrets for unit tests: set them with `.values.set(name, value)`. */
export class MemorySecretReader implements SecretReader {
  readonly values = new Map<string, string>();
  async get(name: string): Promise<string> {
    const value = this.values.get(name);
    if (value === undefined) throw new Error(`secret ${name} is missing`);
    return value;
  }
}

/** A full set of fakes, shaped like createService's `dapr`: pass it as `createService({ dapr })` or to routes. */
export function createMemoryDapr(now: () => number = Date.now): MemoryDapr {
  const stores = new Map<string, MemoryStateStore>();
  const lockStores = new Map<string, MemoryLockStore>();
  return {
    invoker: new MemoryInvoker(),
    publisher: new MemoryPublisher(),
    bindings: new MemoryBindings(),
    secrets: new MemorySecretReader(),
    health: new MemorySidecarHealth(),
    jobs: new MemoryJobScheduler(),
    metadata: new MemorySidecarMetadata(),
    locks(storeName = 'lockstore') {
      let store = lockStores.get(storeName);
      if (!store) lockStores.set(storeName, (store = new MemoryLockStore(storeName, now)));
      return store;
    },
    state(storeName = 'statestore') {
      let store = stores.get(storeName);
      if (!store) stores.set(storeName, (store = new MemoryStateStore(storeName, now)));
      return store;
    },
  };
}
