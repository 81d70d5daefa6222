import { join } from 'node:path';
import { ManagedProcess } from './proc.ts';
import { freePort, httpOk, waitUntil } from './net.ts';
import { repoRoot } from './paths.ts';
import type { Toolchain } from './toolchain.ts';
import type { AppLaunch } from './stacks.ts';

export interface AppSpec {
  /** The Dapr app-id, which is also the folder under services/. */
  appId: string;
  env?: Record<string, string>;
  /** Which instance of the app this is (0, the default, is the first): names its processes and logs. */
  replica?: number;
  /** Another stack's command and folder for the app (stacks.ts: a Go twin); default the TypeScript service. */
  launch?: AppLaunch;
}

export interface SidecarContext {
  toolchain: Toolchain;
  resourcesPaths: string[];
  /** Each app's own Dapr Configuration (its accessControl and secret scopes): dapr-config/apps/<app-id>.yaml. */
  configFileFor(appId: string): string;
  /** Sentry's address and root certificate: every sidecar gets its mTLS identity there. */
  sentry: { address: string; trustAnchors: string };
  /** The sidecar's API token (DAPR_API_TOKEN) and the app's token (APP_API_TOKEN) for an app. */
  tokens(appId: string): AppTokens;
  placementAddress?: string;
  schedulerAddress?: string;
  logDir: string;
  /** Extra env for every app (e.g. OTEL settings). */
  env?: Record<string, string>;
}

export interface AppTokens {
  /** What the app (and anyone else) must present to its sidecar's API. */
  daprApiToken: string;
  /** What the sidecar presents to the app; the public edge (gateway) has none. */
  appApiToken?: string;
}

export interface RunningApp {
  appId: string;
  /** 0 for the first instance of the app, 1, 2 … for further replicas (same app-id, each with its own sidecar). */
  replica: number;
  appPort: number;
  daprHttpPort: number;
  daprGrpcPort: number;
  /** The app's own port, straight (bypassing Dapr). */
  appUrl: string;
  /** The sidecar's HTTP API. */
  daprUrl: string;
  /** The app's Prometheus endpoint (OpenTelemetry metrics, METRICS_PORT) and its sidecar's (daprd's own metrics). */
  metricsUrl: string;
  daprMetricsUrl: string;
  /** `dapr-api-token` for the sidecar's API. */
  daprHeaders: Record<string, string>;
  /** `dapr-api-token` as the sidecar presents it to the app (empty for the public edge). */
  appHeaders: Record<string, string>;
  /** The app process now running (a new one after restartApp). */
  readonly app: ManagedProcess;
  sidecar: ManagedProcess;
  /** Stops the app process only: its sidecar stays up (it retries, then dead-letters, what it cannot deliver). */
  stopApp(): Promise<void>;
  /** A crash of the app process: SIGKILL, no shutdown hooks. Its sidecar stays up (see killSidecar). */
  kill(): Promise<void>;
  /** A crash of the sidecar: SIGKILL the daprd (with kill(), the loss of the whole instance, as of a pod). */
  killSidecar(): Promise<void>;
  /** Starts the app process again on the same ports, beside the same sidecar, and waits until it is ready. */
  restartApp(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The flags every daprd of ours starts with: its app-id and ports, every listener on loopback (the API, the internal
 * gRPC port other sidecars call over mTLS, metrics), mTLS with Sentry, and the app's own Configuration.
 */
function sealedDaprdArgs(
  ctx: SidecarContext,
  appId: string,
  p: { daprHttpPort: number; daprGrpcPort: number; internalPort: number; metricsPort: number },
): string[] {
  return [
    '--app-id',
    appId,
    '--dapr-http-port',
    String(p.daprHttpPort),
    '--dapr-grpc-port',
    String(p.daprGrpcPort),
    '--dapr-internal-grpc-port',
    String(p.internalPort),
    '--dapr-listen-addresses',
    '127.0.0.1',
    '--dapr-internal-grpc-listen-address',
    '127.0.0.1',
    '--metrics-port',
    String(p.metricsPort),
    '--metrics-listen-address',
    '127.0.0.1',
    '--enable-mtls',
    '--sentry-address',
    ctx.sentry.address,
    '--config',
    ctx.configFileFor(appId),
  ];
}

/**
 * The memory settings every service and sidecar runs with, here (harness, `npm start`) as in production: the
 * Dockerfile's NODE_OPTIONS and the Helm chart's `dapr.sidecarEnv` (dapr.io/env) hold the same (tests/deploy checks).
 * Measured with `npm run bench -- idle` (README "Memory"), and under load for CPU.
 * - Node: V8's young generation of 16 MB semi-spaces (a 64 MB new space per isolate, the OpenTelemetry loader thread's
 *   too) kept ~40 MB per app resident at idle; 4 MB semi-spaces cost no throughput or CPU per request, saturated.
 * - daprd: GOGC=50 (the Go heap grows to 1.5x what is live rather than 2x): ~2 MB less per sidecar at idle, ~6 MB
 *   under load, at no CPU cost measured. Most of a daprd's RSS (~75 of ~100 MB) is its binary's pages, shared by
 *   every daprd. GOMEMLIMIT would only act near a limit: it saves nothing at idle.
 */
export const serviceNodeOptions = '--max-semi-space-size=4';
export const sidecarGoEnv: Readonly<Record<string, string>> = { GOGC: '50' };

/** NODE_OPTIONS for a service: ours, then the caller's (which win, being later: a bench can try others). */
export const nodeOptionsFor = (inherited: string | undefined): string => [serviceNodeOptions, inherited].filter(Boolean).join(' ');

/** The command every service runs with: Node 24 with the OpenTelemetry loader hook first. */
export function serviceCommand(): string[] {
  return [process.execPath, '--import', '@globalmart/platform/telemetry', 'src/main.ts'];
}

/**
 * Starts one service beside its own real daprd on free ports, as `dapr run` would, and waits until
 * the sidecar reports healthy (which includes its app channel) and the app reports ready.
 */
export async function startDaprApp(ctx: SidecarContext, spec: AppSpec): Promise<RunningApp> {
  const [appPort, daprHttpPort, daprGrpcPort, internalPort, metricsPort, appMetricsPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const cwd = join(repoRoot, 'services', spec.appId);
  const replica = spec.replica ?? 0;
  // orders, orders-1, orders-2 …: the first instance keeps the names it always had.
  const name = replica === 0 ? spec.appId : `${spec.appId}-${replica}`;
  const [cmd, ...args] = spec.launch?.command ?? serviceCommand();
  const tokens = ctx.tokens(spec.appId);
  const tokenEnv = { DAPR_API_TOKEN: tokens.daprApiToken, ...(tokens.appApiToken ? { APP_API_TOKEN: tokens.appApiToken } : {}) };
  let starts = 0;
  const given = { ...process.env, ...ctx.env, ...spec.env };
  const spawnApp = () =>
    new ManagedProcess(name, cmd!, args, {
      cwd: spec.launch?.cwd ?? cwd,
      // app.log, then app.2.log, ... after restarts: each process its own log.
      logFile: join(ctx.logDir, `${name}.app${++starts > 1 ? `.${starts}` : ''}.log`),
      env: {
        ...given,
        ...tokenEnv,
        NODE_OPTIONS: nodeOptionsFor(given.NODE_OPTIONS),
        APP_ID: spec.appId,
        APP_PORT: String(appPort),
        METRICS_PORT: String(appMetricsPort),
        DAPR_HTTP_PORT: String(daprHttpPort),
        DAPR_GRPC_PORT: String(daprGrpcPort),
      },
    });
  let app = spawnApp();
  const daprArgs = [
    ...sealedDaprdArgs(ctx, spec.appId, { daprHttpPort, daprGrpcPort, internalPort, metricsPort }),
    '--app-port',
    String(appPort),
    '--app-protocol',
    'http',
    '--enable-app-health-check',
    '--app-health-check-path',
    '/healthz',
    '--app-health-probe-interval',
    '1',
    '--log-level',
    'info',
  ];
  for (const p of ctx.resourcesPaths) daprArgs.push('--resources-path', p);
  daprArgs.push('--placement-host-address', ctx.placementAddress ?? '');
  if (ctx.schedulerAddress) daprArgs.push('--scheduler-host-address', ctx.schedulerAddress);
  const sidecar = new ManagedProcess(`${name}-daprd`, ctx.toolchain.daprd, daprArgs, {
    cwd,
    logFile: join(ctx.logDir, `${name}.daprd.log`),
    // daprd reads its tokens and Sentry's root certificate from the environment (never from flags: ps would show them).
    env: { ...sidecarGoEnv, ...process.env, ...tokenEnv, DAPR_TRUST_ANCHORS: ctx.sentry.trustAnchors },
  });
  const running: RunningApp = {
    appId: spec.appId,
    replica,
    appPort,
    daprHttpPort,
    daprGrpcPort,
    appUrl: `http://127.0.0.1:${appPort}`,
    daprUrl: `http://127.0.0.1:${daprHttpPort}`,
    metricsUrl: `http://127.0.0.1:${appMetricsPort}/metrics`,
    daprMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    daprHeaders: { 'dapr-api-token': tokens.daprApiToken },
    appHeaders: tokens.appApiToken ? { 'dapr-api-token': tokens.appApiToken } : {},
    get app() {
      return app;
    },
    sidecar,
    stopApp: () => app.stop(),
    kill: () => app.kill(),
    killSidecar: () => sidecar.kill(),
    restartApp: async () => {
      await app.stop();
      app = spawnApp();
      await waitUntil(`${name} app`, () => httpOk(`${running.appUrl}/readyz`), { timeoutMs: 60_000, abortIf });
    },
    stop: async () => {
      await app.stop();
      await sidecar.stop();
    },
  };
  const abortIf = () => app.deadReason() ?? sidecar.deadReason();
  try {
    await waitUntil(`${name} sidecar`, () => httpOk(`${running.daprUrl}/v1.0/healthz`), { timeoutMs: 60_000, abortIf });
    await waitUntil(`${name} app`, () => httpOk(`${running.appUrl}/readyz`), { timeoutMs: 60_000, abortIf });
  } catch (err) {
    await running.stop();
    throw new Error(
      `${(err as Error).message}\n--- ${name} app log ---\n${app.logTail()}\n--- ${name} daprd log ---\n${sidecar.logTail()}`,
      { cause: err },
    );
  }
  return running;
}

export interface BareSidecar {
  appId: string;
  daprUrl: string;
  daprHeaders: Record<string, string>;
  sidecar: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * A daprd with an app-id but no app behind it: the sidecar of `appId` as another service's tests need it (to publish
 * what that service publishes, or invoke what it may invoke) without starting the service itself.
 */
export async function startBareSidecar(ctx: SidecarContext, appId: string): Promise<BareSidecar> {
  const [daprHttpPort, daprGrpcPort, internalPort, metricsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const tokens = ctx.tokens(appId);
  const args = [...sealedDaprdArgs(ctx, appId, { daprHttpPort, daprGrpcPort, internalPort, metricsPort }), '--placement-host-address', ''];
  for (const p of ctx.resourcesPaths) args.push('--resources-path', p);
  const sidecar = new ManagedProcess(`${appId}-bare-daprd`, ctx.toolchain.daprd, args, {
    cwd: join(repoRoot, 'services', appId),
    logFile: join(ctx.logDir, `${appId}.bare-daprd.log`),
    env: { ...sidecarGoEnv, ...process.env, DAPR_API_TOKEN: tokens.daprApiToken, DAPR_TRUST_ANCHORS: ctx.sentry.trustAnchors },
  });
  const daprUrl = `http://127.0.0.1:${daprHttpPort}`;
  try {
    await waitUntil(`${appId} bare sidecar`, () => httpOk(`${daprUrl}/v1.0/healthz`), {
      timeoutMs: 60_000,
      abortIf: () => sidecar.deadReason(),
    });
  } catch (err) {
    await sidecar.stop();
    throw new Error(`${(err as Error).message}\n--- ${appId} daprd log ---\n${sidecar.logTail()}`, { cause: err });
  }
  return { appId, daprUrl, daprHeaders: { 'dapr-api-token': tokens.daprApiToken }, sidecar, stop: () => sidecar.stop() };
}
