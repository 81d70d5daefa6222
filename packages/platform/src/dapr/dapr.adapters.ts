import type * as DaprSdk from '@dapr/dapr';
import type { DaprClient, LoggerService } from '@dapr/dapr';
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
type Sdk = typeof DaprSdk;

/**
 * @dapr/dapr and the process's one DaprClient, loaded on first need. The SDK's entry point brings gRPC, protobuf, the
 * actor and workflow runtimes with it (about 60 MB of resident memory per process, `npm run bench -- idle`), and only
 * state, pub/sub, bindings, secrets, locks and metadata go through it (the invoker, jobs and health use fetch). An app
 * that wires none of those (the gateway, psp) never loads it; the others start loading it when they wire such a port
 * at start (the getters below), so no request waits for it.
 */
export class LazySdk {
  readonly #config: SidecarConfig;
  readonly #logger: Logger;
  #loading: Promise<{ sdk: Sdk; client: DaprClient }> | undefined;
  constructor(config: SidecarConfig, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
  }

  /** True once something asked for the SDK. */
  get requested(): boolean {
    return this.#loading !== undefined;
  }

  /** Starts loading the SDK (once) without waiting for it; a failure surfaces at the first call that needs it. */
  warm(): void {
    this.load().catch(() => {});
  }

  load(): Promise<{ sdk: Sdk; client: DaprClient }> {
    this.#loading ??= import('@dapr/dapr').then((sdk) => ({
      sdk,
      client: new sdk.DaprClient({
        daprHost: this.#config.DAPR_HOST,
        daprPort: String(this.#config.DAPR_HTTP_PORT),
        communicationProtocol: sdk.CommunicationProtocolEnum.HTTP,
        ...(this.#config.DAPR_API_TOKEN ? { daprApiToken: this.#config.DAPR_API_TOKEN } : {}),
        // Never the SDK's Debug level: it logs request headers, dapr-api-token included.
        logger: { level: sdk.LogLevel.Warn, service: sdkLogger(this.#logger) },
      }),
    }));
    return this.#loading;
  }

  async client(): Promise<DaprClient> {
    return (await this.load()).client;
  }

  async stop(): Promise<void> {
    if (this.#loading) await (await this.#loading).client.stop();
  }
}

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
  readonly #sdk: LazySdk;
  readonly #pubsubName: string;
  constructor(sdk: LazySdk, pubsubName = 'pubsub') {
    this.#sdk = sdk;
    this.#pubsubName = pubsubName;
  }

  // Dapr wraps `data` in the CloudEvent; `metadata.cloudevent.type/id` (query params on
  // /v1.0/publish) override the envelope's type and id. application/json stops the SDK from guessing
  // text/plain for a string or passing a CloudEvent-looking object through as the envelope.
  async publish(topic: string, type: string, data: unknown, options: PublishOptions = {}): Promise<void> {
    const metadata: Record<string, string> = { ...options.metadata, 'cloudevent.type': type };
    if (options.id !== undefined) metadata['cloudevent.id'] = options.id;
    const client = await this.#sdk.client();
    const result = await client.pubsub.publish(this.#pubsubName, topic, data as object, {
      contentType: 'application/json',
      metadata,
    });
    if (result.error) throw new PublishError(topic, type, sdkErrorStatus(result.error), result.error);
  }
}

/** Output bindings through the SDK (POST /v1.0/bindings/<name> with `{ data, metadata, operation }`). */
export class DaprBindings implements BindingInvoker {
  readonly #sdk: LazySdk;
  constructor(sdk: LazySdk) {
    this.#sdk = sdk;
  }

  async invoke<T = unknown>(
    name: string,
    operation: string,
    data?: unknown,
    metadata: Record<string, string> = {},
  ): Promise<T | undefined> {
    const client = await this.#sdk.client();
    try {
      const answer: unknown = await client.binding.send(name, operation, data, metadata);
      // The SDK gives '' for an empty answer (an SMTP send answers 204).
      return answer === '' || answer === null ? undefined : (answer as T);
    } catch (err) {
      // The SDK throws the sidecar's answer as JSON text ({ status, ... }); status 0 when there was none.
      throw new BindingError(name, operation, sdkErrorStatus(err), undefined, err);
    }
  }
}

const firstWrite = (sdk: Sdk) => ({
  concurrency: sdk.StateConcurrencyEnum.CONCURRENCY_FIRST_WRITE,
  consistency: sdk.StateConsistencyEnum.CONSISTENCY_UNSPECIFIED,
});

export class DaprStateStore implements StateStore {
  readonly storeName: string;
  readonly #sdk: LazySdk;
  constructor(sdk: LazySdk, storeName = 'statestore') {
    this.#sdk = sdk;
    this.storeName = storeName;
  }

  // The SDK's state.get returns the value only (the ETag header is dropped); the bulk API returns
  // { key, data, etag } per key, so a one-key bulk get is how the etag is read.
  async get<T>(key: string): Promise<StateEntry<T> | undefined> {
    const client = await this.#sdk.client();
    const [item] = await client.state.getBulk(this.storeName, [key]);
    if (item?.error) throw new Error(`state get ${this.storeName}/${key} failed: ${String(item.error)}`);
    if (!item || item.data === undefined || item.data === null || item.data === '') return undefined;
    return { value: item.data as T, etag: String(item.etag) };
  }

  // Dapr checks etags only under first-write concurrency (with last-write, e.g. Redis ignores the etag).
  async save<T>(key: string, value: T, options: SaveOptions = {}): Promise<void> {
    const { sdk, client } = await this.#sdk.load();
    const result = await client.state.save(this.storeName, [
      {
        key,
        value,
        ...(options.etag === undefined ? {} : { etag: options.etag, options: firstWrite(sdk) }),
        ...(options.ttlInSeconds === undefined ? {} : { metadata: { ttlInSeconds: String(options.ttlInSeconds) } }),
      },
    ]);
    if (result.error) this.#fail('save', key, result.error);
  }

  async delete(key: string, options: { etag?: string } = {}): Promise<void> {
    const { sdk, client } = await this.#sdk.load();
    const result = await client.state.delete(
      this.storeName,
      key,
      options.etag === undefined ? {} : { etag: options.etag, ...firstWrite(sdk) },
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
  readonly #sdk: LazySdk;
  constructor(sdk: LazySdk) {
    this.#sdk = sdk;
  }

  async get(name: string, storeName = 'secretstore'): Promise<string> {
    const client = await this.#sdk.client();
    const answer = (await client.secret.get(storeName, name)) as Record<string, string> | undefined;
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
  readonly #sdk: LazySdk;
  constructor(sdk: LazySdk, storeName: string) {
    this.#sdk = sdk;
    this.storeName = storeName;
  }

  async tryLock(resourceId: string, owner: string, expiryInSeconds: number): Promise<boolean> {
    const client = await this.#sdk.client();
    try {
      const answer = await client.lock.lock(this.storeName, resourceId, owner, expiryInSeconds);
      return answer.success === true;
    } catch (err) {
      throw new Error(`lock ${this.storeName}/${resourceId} failed (status ${sdkErrorStatus(err)})`, { cause: err });
    }
  }

  async unlock(resourceId: string, owner: string): Promise<UnlockStatus> {
    // The SDK's LockStatus enum (0 success, 1 no such lock, 2 held by another owner, 3 internal error) is not exported.
    const client = await this.#sdk.client();
    let status: number;
    try {
      ({ status } = await client.lock.unlock(this.storeName, resourceId, owner));
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
  readonly #sdk: LazySdk;
  constructor(sdk: LazySdk) {
    this.#sdk = sdk;
  }

  async components(): Promise<ComponentInfo[]> {
    const client = await this.#sdk.client();
    const answer = await client.metadata.get();
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
  /** The SDK behind the client-backed ports (loaded on first need). */
  sdk: LazySdk;
  close(): Promise<void>;
}

/**
 * One DaprClient per process, created here by the kit (on first need, see LazySdk) and never inside business logic.
 * Reading `publisher`, `bindings`, `secrets` or `metadata`, or calling `state()` or `locks()`, starts loading the SDK.
 */
export function createDaprAdapters(config: SidecarConfig, logger: Logger): DaprAdapters {
  const sdk = new LazySdk(config, logger);
  const sidecar = { host: config.DAPR_HOST, httpPort: config.DAPR_HTTP_PORT, apiToken: config.DAPR_API_TOKEN };
  const invoker = new DaprHttpInvoker(sidecar);
  const stores = new Map<string, DaprStateStore>();
  const lockStores = new Map<string, DaprLockStore>();
  const warm = <T>(port: T): T => {
    sdk.warm();
    return port;
  };
  const bindings = new DaprBindings(sdk);
  const publisher = new DaprEventPublisher(sdk);
  const secrets = new DaprSecretReader(sdk);
  const metadata = new DaprSidecarMetadata(sdk);
  return {
    sdk,
    invoker,
    health: new DaprSidecarHealth(config),
    jobs: new DaprJobScheduler(config),
    get bindings() {
      return warm(bindings);
    },
    get publisher() {
      return warm(publisher);
    },
    get secrets() {
      return warm(secrets);
    },
    get metadata() {
      return warm(metadata);
    },
    locks(storeName = 'lockstore') {
      let store = lockStores.get(storeName);
      if (!store) lockStores.set(storeName, (store = new DaprLockStore(sdk, storeName)));
      return warm(store);
    },
    state(storeName = 'statestore') {
      let store = stores.get(storeName);
      if (!store) stores.set(storeName, (store = new DaprStateStore(sdk, storeName)));
      return warm(store);
    },
    async close() {
      invoker.close();
      await sdk.stop();
    },
  };
}
