// The reusable system-test harness: real infrastructure and real daprd sidecars on free ports.
//   const platform = await startPlatform({ apps: ['catalog', 'gateway'] });
//   ... fetch(platform.url('gateway') + '/api/products') ...
//   await platform.stop();
// Later issues extend it with more apps and infrastructure (placement, scheduler, MailDev, brokers).
//   startPlatform({ apps: ['cart'], broker: 'rabbitmq' }) puts `pubsub` on another broker (components/brokers/).
//   startPlatform({ apps: [...], replicas: { orders: 2 } }) runs two instances of orders (each its own sidecar, same
//   app-id); platform.instances('orders') lists them, each with kill() / killSidecar(); the other helpers use the first.
//   startPlatform({ apps: [...], tracing: true }) also runs Jaeger (built on first use): sidecars and apps export their
//   spans to it, platform.jaeger.queryUrl answers /api/traces. Other runs pay nothing for it.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureLocalSecrets,
  ensureLocalTokens,
  tokensOf,
  ensureJaeger,
  ensureToolchain,
  freePort,
  randomJaegerPorts,
  randomPorts,
  startJaeger,
  replicaCounts,
  repoRoot,
  readRunFile,
  renderResources,
  startBareSidecar,
  startDaprApp,
  type BareSidecar,
  startInfra,
  type Broker,
  type Infra,
  type InfraWants,
  type Jaeger,
  type ReplicaSpec,
  type Stack,
  appLaunch,
  parseStacks,
  type RunningApp,
  waitUntil,
} from '@globalmart/devstack';

import { relaxedRateLimits } from './rate-limits.ts';

const run = promisify(execFile);

/**
 * Every app of the platform, in an order the harness can start them one after the other: providers before their
 * callers, the gateway last (its readiness waits for catalog).
 */
export const allApps = [
  'catalog',
  'inventory',
  'cart',
  'psp',
  'payments',
  'shipping',
  'identity',
  'orders',
  'notifications',
  'analytics',
  'recommendations',
  'gateway',
] as const;

export interface Invoked {
  status: number;
  contentType: string;
  // The tests assert on bodies field by field; a loose type keeps them readable.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface PlatformOptions extends InfraWants {
  apps: string[];
  /** Per-app env on top of dapr.yaml's (e.g. a smaller seed). */
  env?: Record<string, Record<string, string>>;
  /**
   * The broker behind `pubsub` (default redis: this run's private Redis). Isolated per run: RabbitMQ gets a vhost of
   * its own on the machine's server (removed at stop), NATS JetStream and Mosquitto a private server on a free port.
   */
  broker?: Broker;
  /**
   * Instances per app, as REPLICAS for npm start: a number for every app of `apps`, or per app (the others 1), e.g.
   * `{ orders: 2 }`. Each instance is its own app process beside its own daprd with the same app-id and tokens; Dapr's
   * name resolution spreads invocations across them.
   */
  replicas?: ReplicaSpec;
  /**
   * Runs Jaeger (all-in-one, in memory, on free ports) and points every sidecar's and app's OTLP trace export at it.
   * Without it the sidecars export to a free port where nothing listens (dropped in the background) and the apps
   * export nothing.
   */
  tracing?: boolean;
  /**
   * The sidecars' `tracing.samplingRate` (dapr-config: '1', every request). Benchmarks pass the production rate (Helm's
   * tracing.samplingRate); the apps follow the sidecar's decision (parent-based sampling).
   */
  samplingRate?: string;
  /**
   * Which implementation runs behind an app-id, as `RECOMMENDATIONS=go npm start`: `{ recommendations: 'go' }` starts
   * the Go twin (services/recommendations-go, built on first use) in place of the TypeScript service. Default: the
   * RECOMMENDATIONS variable of the test run, else TypeScript.
   */
  stacks?: Partial<Record<string, Stack>>;
}

export interface Platform {
  infra: Infra;
  /** The trace backend, when started with `tracing: true`. */
  jaeger?: Jaeger;
  /** The first instance of each running app (what url, daprUrl, invoke, sidecarOf … use). */
  apps: Record<string, RunningApp>;
  /**
   * Every running instance of `appId`, the first (replica 0) first: each with its ports, its processes, and kill()
   * (SIGKILL the app process) / killSidecar() (SIGKILL its daprd) / restartApp(). Empty when the app is not running.
   */
  instances(appId: string): RunningApp[];
  workDir: string;
  /** This run's local secrets file (the `secretstore` component reads it). */
  secretsFile: string;
  /**
   * Creates an admin the way operators do: `npm run create-admin`, against this run's identity database; resolves
   * to the user id. `promote` passes --promote (make an existing customer admin, with this password). Rejects with
   * the script's stderr when it exits non-zero (e.g. an existing customer without `promote`).
   */
  createAdmin(email: string, password: string, opts?: { promote?: boolean }): Promise<string>;
  /** The app's own URL (straight, no sidecar). */
  url(appId: string): string;
  /** The app's sidecar HTTP API. */
  daprUrl(appId: string): string;
  /**
   * The sidecar of `appId` to act as that app: the running app's own, or else a bare daprd with that app-id (no app
   * behind it) started on first use — to publish what that app publishes, or invoke what it may invoke.
   */
  sidecarOf(appId: string): Promise<{ daprUrl: string; daprHeaders: Record<string, string> }>;
  /** The headers the app's sidecar API needs (its `dapr-api-token`): every sidecar refuses calls without it. */
  daprHeaders(appId: string): Record<string, string>;
  /** The headers the app's own port needs (the token its sidecar presents); empty for the public edge. */
  appHeaders(appId: string): Record<string, string>;
  /**
   * A Dapr service invocation of `appId` made from `via`'s sidecar, as another service makes it: the target sees
   * dapr-caller-app-id (a call through its own sidecar carries none). JSON in and out.
   */
  invoke(via: string, appId: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Invoked>;
  /** Waits for a line in the log of any instance of the app that matches, and returns it (logs are written asynchronously). */
  waitForLog(appId: string, match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Stops one app (every instance) and its sidecars (e.g. to show that a durable subscription keeps its messages meanwhile). */
  stopApp(appId: string): Promise<void>;
  /**
   * Starts an app of opts.apps again, as many instances as at first (new ports: read url/daprUrl afresh); `env` is
   * added to its environment for this start (e.g. another admission setting for a benchmark phase).
   */
  startApp(appId: string, env?: Record<string, string>): Promise<void>;
  /** Recent app and sidecar log lines of every app, for failure reports. */
  logs(lines?: number): string;
  stop(): Promise<void>;
}

/** dapr.yaml's env points at the developer's local infrastructure: point it at this run's instead. */
function appEnv(appId: string, infra: Infra, extra: Record<string, string> = {}): Record<string, string> {
  const { apps, commonEnv } = readRunFile();
  const spec = apps.find((a) => a.appID === appId);
  if (!spec) throw new Error(`${appId} is not in dapr.yaml`);
  const env: Record<string, string> = { ...commonEnv, ...spec.env, LOG_LEVEL: 'info', ...extra };
  if (env.MONGODB_URI) env.MONGODB_URI = env.MONGODB_URI.replace(/^mongodb:\/\/[^/]+/, infra.mongoUrl);
  // The gateway's rate-limit counters in this run's Redis; limits high enough for a whole test file from one client
  // (tests of the limits themselves pass their own through `env`).
  if (appId === 'gateway') Object.assign(env, relaxedRateLimits, { RATE_LIMIT_REDIS_URL: `redis://${infra.redisHost}` }, extra);
  return env;
}

export async function startPlatform(opts: PlatformOptions): Promise<Platform> {
  const workDir = mkdtempSync(join(tmpdir(), 'globalmart-system-'));
  const tc = await ensureToolchain(() => {});
  // Checked before anything starts: a bad spec fails at once, naming the app or count.
  const replicas = replicaCounts(opts.replicas, opts.apps);
  const infra = await startInfra(
    tc,
    await randomPorts(),
    { logDir: join(workDir, 'logs'), dataDir: join(workDir, 'data'), ephemeral: true },
    // The scheduler is on unless a test says otherwise: Dapr Jobs drive every app's background work (outbox relays,
    // expiry and progress), and an app with recurring jobs is not ready until they are registered.
    { ...opts, scheduler: opts.scheduler ?? true },
  );
  let jaeger: Jaeger | undefined;
  try {
    if (opts.tracing) {
      jaeger = await startJaeger(await ensureJaeger(() => {}), await randomJaegerPorts(), {
        logDir: join(workDir, 'logs'),
        dataDir: join(workDir, 'data'),
      });
    }
  } catch (err) {
    await infra.stop();
    throw err;
  }
  const secretsFile = join(workDir, 'secrets.json');
  ensureLocalSecrets(secretsFile);
  const tokens = ensureLocalTokens(join(workDir, 'tokens.json'), allApps);
  const { resourcesPaths, configFileFor } = renderResources(join(workDir, 'resources'), {
    redisHost: infra.redisHost,
    secretsFile,
    nameResolutionDb: join(workDir, 'name-resolution.db'),
    ...(infra.smtpPort ? { smtpPort: infra.smtpPort } : {}),
    broker: infra.broker,
    ...(infra.pubsubUrl ? { pubsubUrl: infra.pubsubUrl } : {}),
    otlpAddress: jaeger?.otlpAddress ?? `127.0.0.1:${await freePort()}`,
    ...(opts.samplingRate !== undefined ? { samplingRate: opts.samplingRate } : {}),
  });
  const apps: Record<string, RunningApp> = {};
  const running: Record<string, RunningApp[]> = {};
  const bare: Record<string, Promise<BareSidecar>> = {};
  const ctx = {
    toolchain: tc,
    resourcesPaths,
    configFileFor,
    sentry: infra.sentry,
    tokens: (appId: string) => tokensOf(tokens, appId),
    logDir: join(workDir, 'logs'),
    ...(jaeger ? { env: { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint } } : {}),
    ...(infra.placementAddress ? { placementAddress: infra.placementAddress } : {}),
    ...(infra.schedulerAddress ? { schedulerAddress: infra.schedulerAddress } : {}),
  };
  /** Every instance of one app, in parallel; those that started are kept (and stopped by stop()) when one fails. */
  const stacks = { ...parseStacks(), ...opts.stacks };
  const startInstances = async (appId: string, extraEnv: Record<string, string> = {}) => {
    // The admin console's trace look-up reads this run's Jaeger (outside the mesh, like an operator would).
    const traceQuery: Record<string, string> = jaeger && appId === 'gateway' ? { TRACE_QUERY_URL: jaeger.queryUrl } : {};
    const env = appEnv(appId, infra, { ...traceQuery, ...opts.env?.[appId], ...extraEnv });
    const launch = await appLaunch(appId, stacks[appId], () => {});
    const list: RunningApp[] = (running[appId] = []);
    const started = await Promise.allSettled(
      Array.from({ length: replicas[appId] ?? 1 }, async (_, replica) => {
        list[replica] = await startDaprApp(ctx, { appId, env, replica, ...(launch ? { launch } : {}) });
      }),
    );
    // Dense, in replica order (a failed one leaves no hole).
    running[appId] = list.filter(Boolean);
    if (running[appId][0]?.replica === 0) apps[appId] = running[appId][0];
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  };
  const all = () => Object.values(running).flat();
  const platform: Platform = {
    infra,
    ...(jaeger ? { jaeger } : {}),
    apps,
    instances: (appId) => [...(running[appId] ?? [])],
    workDir,
    secretsFile,
    createAdmin: async (email, password, { promote = false } = {}) => {
      const args = ['--email', email, '--password', password, ...(promote ? ['--promote'] : [])];
      try {
        const { stdout } = await run(process.execPath, [join(repoRoot, 'scripts/create-admin.ts'), ...args], {
          env: { ...process.env, MONGODB_URI: `${infra.mongoUrl}/globalmart-identity`, GLOBALMART_SECRETS_FILE: secretsFile },
        });
        return stdout.trim();
      } catch (err) {
        const { stderr, code } = err as { stderr?: string; code?: number };
        throw new Error(stderr?.trim() || `create-admin exited with ${code}`, { cause: err });
      }
    },
    invoke: async (via, appId, method, path, body, headers = {}) => {
      const sidecar = await platform.sidecarOf(via);
      const res = await fetch(`${sidecar.daprUrl}/v1.0/invoke/${appId}/method/${path}`, {
        method,
        headers: { ...headers, ...sidecar.daprHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
    },
    url: (id) => must(apps[id], id).appUrl,
    sidecarOf: async (id) => apps[id] ?? (await (bare[id] ??= startBareSidecar(ctx, id))),
    daprUrl: (id) => must(apps[id], id).daprUrl,
    daprHeaders: (id) => must(apps[id], id).daprHeaders,
    appHeaders: (id) => must(apps[id], id).appHeaders,
    waitForLog: async (appId, match, timeoutMs = 5_000) => {
      must(apps[appId], appId);
      let found: string | undefined;
      await waitUntil(
        `a matching line in ${appId}'s log`,
        async () => {
          for (const instance of running[appId] ?? []) {
            found = instance.app.logTail(400).split('\n').find(match);
            if (found !== undefined) return true;
          }
          return false;
        },
        { timeoutMs },
      );
      return found!;
    },
    stopApp: async (appId) => {
      must(apps[appId], appId);
      await Promise.all((running[appId] ?? []).map((a) => a.stop()));
      delete apps[appId];
      delete running[appId];
    },
    startApp: async (appId, env) => {
      if (!opts.apps.includes(appId)) throw new Error(`${appId} is not one of this platform's apps`);
      if (running[appId]) throw new Error(`${appId} is running`);
      await startInstances(appId, env);
    },
    logs: (lines = 40) =>
      all()
        .map((a) => {
          const name = a.replica === 0 ? a.appId : `${a.appId} replica ${a.replica}`;
          return `--- ${name} app ---\n${a.app.logTail(lines)}\n--- ${name} daprd ---\n${a.sidecar.logTail(lines)}`;
        })
        .join('\n'),
    stop: async () => {
      await Promise.all(all().map((a) => a.stop()));
      await Promise.all(Object.values(bare).map(async (b) => (await b.catch(() => undefined))?.stop()));
      await infra.stop();
      await jaeger?.stop();
    },
  };
  try {
    // Sequential: a later app may need an earlier one ready (the gateway's readiness checks catalog).
    for (const appId of opts.apps) await startInstances(appId);
  } catch (err) {
    await platform.stop();
    throw err;
  }
  return platform;
}

function must<T>(v: T | undefined, id: string): T {
  if (!v) throw new Error(`${id} was not started by this platform`);
  return v;
}
