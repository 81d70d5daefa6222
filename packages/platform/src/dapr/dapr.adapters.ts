import {
  CommunicationProtocolEnum,
  DaprClient,
  LogLevel,
  StateConcurrencyEnum,
  StateConsistencyEnum,
  type LoggerService,
} from '@dapr/dapr';
import type { BaseConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { DaprHttpInvoker } from './dapr.invoker.ts';
import {
  BindingError,
  JobError,
  PublishError,
  StateConflictError,
  type BindingInvoker,
  type ComponentInfo,
  type DaprPorts,
  type EventPublisher,
  type JobScheduler,
  type JobSpec,
  type LockStore,
  type PublishOptions,
  type SaveOptions,
  type SecretReader,
  type SidecarHealth,
  type SidecarMetadata,
  type StateEntry,
  type StateStore,
  type UnlockStatus,
} from './ports.ts';

type SidecarConfig = Pick<BaseConfig, 'DAPR_HOST' | 'DAPR_HTTP_PORT' | 'DAPR_API_TOKEN'>;

/**
 * @dapr/dapr 3.18 reports failures of publish/save/delete by returning `{ error }` (it does not throw), and the
 * error's message is JSON.stringify({ error, error_msg, status }) from HTTPClient.execute. Read the status back.
 */
export function sdkErrorStatus(error: unknown): number {
  try {
    const parsed: unknown = JSON.parse(error instanceof Error ? error.message : String(error));
    const status = (parsed as { status?: unknown }).status;
    return typeof status === 'number' ? status : 0;
  } catch {
    return 0; // not an HTTP answer: connection refused, sidecar never started, ...
  }
}

export class DaprEventPublisher implements EventPublisher {
  readonly #client: DaprClient;
  readonly #pubsubName: string;
  constructor(client: DaprClient, pubsubName = 'pubsub') {
    this.#client = client;
    this.#pubsubName = pubsubName;
  }

  // Dapr wraps `data` in the CloudEvent; `metadata.cloudevent.type/id` (query params on
  // /v1.0/publish) override the envelope's type and id. application/json stops the SDK from guessing
  // text/plain for a string or passing a CloudEvent-looking object through as the envelope.
  async publish(topic: string, type: string, data: unknown, options: PublishOptions = {}): Promise<void> {
    const metadata: Record<string, string> = { ...options.metadata, 'cloudevent.type': type };
    if (options.id !== undefined) metadata['cloudevent.id'] = options.id;
    const result = await this.#client.pubsub.publish(this.#pubsubName, topic, data as object, {
      contentType: 'application/json',
      metadata,
    });
    if (result.error) throw new PublishError(topic, type, sdkErrorStatus(result.error), result.error);
  }
}

/** Output bindings through the SDK (POST /v1.0/bindings/<name> with `{ data, metadata, operation }`). */
export class DaprBindings implements BindingInvoker {
  readonly #client: DaprClient;
  constructor(client: DaprClient) {
    this.#client = client;
  }

  async invoke<T = unknown>(
    name: string,
    operation: string,
    data?: unknown,
    metadata: Record<string, string> = {},
  ): Promise<T | undefined> {
    try {
      const answer: unknown = await this.#client.binding.send(name, operation, data, metadata);
      // The SDK gives '' for an empty answer (an SMTP send answers 204).
      return answer === '' || answer === null ? undefined : (answer as T);
    } catch (err) {
      // The SDK throws the sidecar's answer as JSON text ({ status, ... }); status 0 when there was none.
      throw new BindingError(name, operation, sdkErrorStatus(err), undefined, err);
    }
  }
}

const firstWrite = {
  concurrency: StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE,
  consistency: StateConsistencyEnum.CONSISTENCY_UNSPECIFIED,
};

export class DaprStateStore implements StateStore {
  readonly storeName: string;
  readonly #client: DaprClient;
  constructor(client: DaprClient, storeName = 'statestore') {
    this.#client = client;
    this.storeName = storeName;
  }

  // The SDK's state.get returns the value only (the ETag header is dropped); the bulk API returns
  // { key, data, etag } per key, so a one-key bulk get is how the etag is read.
  async get<T>(key: string): Promise<StateEntry<T> | undefined> {
    const [item] = await this.#client.state.getBulk(this.storeName, [key]);
    if (item?.error) throw new Error(`state get ${this.storeName}/${key} failed: ${String(item.error)}`);
    if (!item || item.data === undefined || item.data === null || item.data === '') return undefined;
    return { value: item.data as T, etag: String(item.etag) };
  }

  // Dapr checks etags only under first-write concurrency (with last-write, e.g. Redis ignores the etag).
  async save<T>(key: string, value: T, options: SaveOptions = {}): Promise<void> {
    const result = await this.#client.state.save(this.storeName, [
      {
        key,
        value,
        ...(options.etag === undefined ? {} : { etag: options.etag, options: firstWrite }),
        ...(options.ttlInSeconds === undefined ? {} : { metadata: { ttlInSeconds: String(options.ttlInSeconds) } }),
      },
    ]);
    if (result.error) this.#fail('save', key, result.error);
  }

  async delete(key: string, options: { etag?: string } = {}): Promise<void> {
    const result = await this.#client.state.delete(
      this.storeName,
      key,
      options.etag === undefined ? {} : { etag: options.etag, ...firstWrite },
    );
    if (result.error) this.#fail('delete', key, result.error);
  }

  #fail(op: string, key: string, error: Error): never {
    if (sdkErrorStatus(error) === 409) throw new StateConflictError(key);
    throw new Error(`state ${op} ${this.storeName}/${key} failed`, { cause: error });
  }
}

/** Secrets through the sidecar's secrets API (`local.file` locally, Kubernetes secrets in Helm). */
export class DaprSecretReader implements SecretReader {
  readonly #client: DaprClient;
  constructor(client: DaprClient) {
    this.#client = client;
  }

  async get(name: string, storeName = 'secretstore'): Promise<string> {
    const answer = (await this.#client.secret.get(storeName, name)) as Record<string, string> | undefined;
    const value = answer?.[name];
    if (!value) throw new Error(`secret ${name} is missing from the ${storeName} secret store`);
    return value;
  }
}

/** Dapr's outbound health (components and pub/sub ready); fetch, not node:http, so probes make no spans. */
export class DaprSidecarHealth implements SidecarHealth {
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  constructor(sidecar: SidecarConfig, timeoutMs = 1_000) {
    this.#url = `http://${sidecar.DAPR_HOST}:${sidecar.DAPR_HTTP_PORT}/v1.0/healthz/outbound`;
    this.#headers = sidecar.DAPR_API_TOKEN ? { 'dapr-api-token': sidecar.DAPR_API_TOKEN } : {};
    this.#timeoutMs = timeoutMs;
  }

  async isReady(): Promise<boolean> {
    try {
      const res = await fetch(this.#url, { headers: this.#headers, signal: AbortSignal.timeout(this.#timeoutMs) });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }
}

/**
 * Dapr's Jobs API over fetch (@dapr/dapr 3.18 has no jobs client). The sidecar hands the job to the Scheduler and
 * waits for it (up to 30 s while the Scheduler is unreachable), so a 2xx means the job is stored.
 */
export class DaprJobScheduler implements JobScheduler {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  constructor(sidecar: SidecarConfig, timeoutMs = 35_000) {
    this.#base = `http://${sidecar.DAPR_HOST}:${sidecar.DAPR_HTTP_PORT}/v1.0/jobs/`;
    this.#headers = sidecar.DAPR_API_TOKEN ? { 'dapr-api-token': sidecar.DAPR_API_TOKEN } : {};
    this.#timeoutMs = timeoutMs;
  }

  async schedule(name: string, job: JobSpec): Promise<void> {
    await this.#call('schedule', name, 'POST', JSON.stringify(job));
  }

  async delete(name: string): Promise<void> {
    await this.#call('delete', name, 'DELETE');
  }

  async #call(op: string, name: string, method: string, body?: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.#base + encodeURIComponent(name), {
        method,
        headers: { ...this.#headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new JobError(name, op, 0, undefined, err);
    }
    const text = await res.text();
    if (res.ok) return;
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    throw new JobError(name, op, res.status, parsed);
  }
}

/** Dapr's distributed lock API (v1.0-alpha1) through the SDK. */
export class DaprLockStore implements LockStore {
  readonly storeName: string;
  readonly #client: DaprClient;
  constructor(client: DaprClient, storeName: string) {
    this.#client = client;
    this.storeName = storeName;
  }

  async tryLock(resourceId: string, owner: string, expiryInSeconds: number): Promise<boolean> {
    try {
      const answer = await this.#client.lock.lock(this.storeName, resourceId, owner, expiryInSeconds);
      return answer.success === true;
    } catch (err) {
      throw new Error(`lock ${this.storeName}/${resourceId} failed (status ${sdkErrorStatus(err)})`, { cause: err });
    }
  }

  async unlock(resourceId: string, owner: string): Promise<UnlockStatus> {
    // The SDK's LockStatus enum (0 success, 1 no such lock, 2 held by another owner, 3 internal error) is not exported.
    let status: number;
    try {
      ({ status } = await this.#client.lock.unlock(this.storeName, resourceId, owner));
    } catch (err) {
      throw new Error(`unlock ${this.storeName}/${resourceId} failed (status ${sdkErrorStatus(err)})`, { cause: err });
    }
    switch (status) {
      case 0:
        return 'released';
      case 1:
        return 'missing';
      case 2:
        return 'not-owner';
      default:
        throw new Error(`unlock ${this.storeName}/${resourceId} failed: the lock store reported an internal error`);
    }
  }
}

/** The components the sidecar loaded (GET /v1.0/metadata through the SDK). */
export class DaprSidecarMetadata implements SidecarMetadata {
  readonly #client: DaprClient;
  constructor(client: DaprClient) {
    this.#client = client;
  }

  async components(): Promise<ComponentInfo[]> {
    const answer = await this.#client.metadata.get();
    return (answer.components ?? []).map((c) => ({
      name: c.name,
      type: c.type,
      version: c.version ?? '',
      capabilities: c.capabilities ?? [],
    }));
  }
}

/**
 * SDK log lines go through pino. Its "errors" are failures it also hands back to us (an etag conflict, say),
 * which the adapters throw and the caller handles or the error handler logs: here they are only debug noise.
 */
function sdkLogger(logger: Logger): LoggerService {
  const log = logger.child({ component: 'dapr-sdk' });
  return {
    error: (message: unknown) => log.debug(String(message)),
    warn: (message: unknown) => log.warn(String(message)),
    info: (message: unknown) => log.debug(String(message)),
    verbose: (message: unknown) => log.trace(String(message)),
    debug: (message: unknown) => log.trace(String(message)),
  };
}

export interface DaprAdapters extends DaprPorts {
  client: DaprClient;
  close(): Promise<void>;
}

/** One DaprClient per process, created here by the kit and never inside business logic. */
export function createDaprAdapters(config: SidecarConfig, logger: Logger): DaprAdapters {
  const client = new DaprClient({
    daprHost: config.DAPR_HOST,
    daprPort: String(config.DAPR_HTTP_PORT),
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    ...(config.DAPR_API_TOKEN ? { daprApiToken: config.DAPR_API_TOKEN } : {}),
    // Never the SDK's Debug level: it logs request headers, dapr-api-token included.
    logger: { level: LogLevel.Warn, service: sdkLogger(logger) },
  });
  const sidecar = { host: config.DAPR_HOST, httpPort: config.DAPR_HTTP_PORT, apiToken: config.DAPR_API_TOKEN };
  const invoker = new DaprHttpInvoker(sidecar);
  const stores = new Map<string, DaprStateStore>();
  const lockStores = new Map<string, DaprLockStore>();
  return {
    client,
    invoker,
    bindings: new DaprBindings(client),
    publisher: new DaprEventPublisher(client),
    secrets: new DaprSecretReader(client),
    health: new DaprSidecarHealth(config),
    jobs: new DaprJobScheduler(config),
    metadata: new DaprSidecarMetadata(client),
    locks(storeName = 'lockstore') {
      let store = lockStores.get(storeName);
      if (!store) lockStores.set(storeName, (store = new DaprLockStore(client, storeName)));
      return store;
    },
    state(storeName = 'statestore') {
      let store = stores.get(storeName);
      if (!store) stores.set(storeName, (store = new DaprStateStore(client, storeName)));
      return store;
    },
    async close() {
      invoker.close();
      await client.stop();
    },
  };
}
