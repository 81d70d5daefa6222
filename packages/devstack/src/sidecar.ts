import { join } from 'node:path';
import { ManagedProcess } from './proc.ts';
import { freePort, httpOk, waitUntil } from './net.ts';
import { repoRoot } from './paths.ts';
import type { Toolchain } from './toolchain.ts';

export interface AppSpec {
  /** The Dapr app-id, which is also the folder under services/. */
  appId: string;
  env?: Record<string, string>;
}

export interface SidecarContext {
  toolchain: Toolchain;
  resourcesPaths: string[];
  configFile: string;
  placementAddress?: string;
  schedulerAddress?: string;
  logDir: string;
  /** Extra env for every app (e.g. OTEL settings). */
  env?: Record<string, string>;
}

export interface RunningApp {
  appId: string;
  appPort: number;
  daprHttpPort: number;
  daprGrpcPort: number;
  /** The app's own port, straight (bypassing Dapr). */
  appUrl: string;
  /** The sidecar's HTTP API. */
  daprUrl: string;
  /** The app process now running (a new one after restartApp). */
  readonly app: ManagedProcess;
  sidecar: ManagedProcess;
  /** Stops the app process only: its sidecar stays up (it retries, then dead-letters, what it cannot deliver). */
  stopApp(): Promise<void>;
  /** Starts the app process again on the same ports, beside the same sidecar, and waits until it is ready. */
  restartApp(): Promise<void>;
  stop(): Promise<void>;
}

/** The command every service runs with: Node 24 with the OpenTelemetry loader hook first. */
export function serviceCommand(): string[] {
  return [process.execPath, '--import', '@globalmart/platform/telemetry', 'src/main.ts'];
}

/**
 * Starts one service beside its own real daprd on free ports, as `dapr run` would, and waits until
 * the sidecar reports healthy (which includes its app channel) and the app reports ready.
 */
export async function startDaprApp(ctx: SidecarContext, spec: AppSpec): Promise<RunningApp> {
  const [appPort, daprHttpPort, daprGrpcPort, internalPort, metricsPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const cwd = join(repoRoot, 'services', spec.appId);
  const [cmd, ...args] = serviceCommand();
  let starts = 0;
  const spawnApp = () =>
    new ManagedProcess(`${spec.appId}`, cmd!, args, {
      cwd,
      // app.log, then app.2.log, ... after restarts: each process its own log.
      logFile: join(ctx.logDir, `${spec.appId}.app${++starts > 1 ? `.${starts}` : ''}.log`),
      env: {
        ...process.env,
        ...ctx.env,
        ...spec.env,
        APP_ID: spec.appId,
        APP_PORT: String(appPort),
        DAPR_HTTP_PORT: String(daprHttpPort),
        DAPR_GRPC_PORT: String(daprGrpcPort),
      },
    });
  let app = spawnApp();
  const daprArgs = [
    '--app-id',
    spec.appId,
    '--app-port',
    String(appPort),
    '--app-protocol',
    'http',
    '--dapr-http-port',
    String(daprHttpPort),
    '--dapr-grpc-port',
    String(daprGrpcPort),
    '--dapr-internal-grpc-port',
    String(internalPort),
    '--dapr-listen-addresses',
    '127.0.0.1',
    '--metrics-port',
    String(metricsPort),
    '--config',
    ctx.configFile,
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
  const sidecar = new ManagedProcess(`${spec.appId}-daprd`, ctx.toolchain.daprd, daprArgs, {
    cwd,
    logFile: join(ctx.logDir, `${spec.appId}.daprd.log`),
  });
  const running: RunningApp = {
    appId: spec.appId,
    appPort,
    daprHttpPort,
    daprGrpcPort,
    appUrl: `http://127.0.0.1:${appPort}`,
    daprUrl: `http://127.0.0.1:${daprHttpPort}`,
    get app() {
      return app;
    },
    sidecar,
    stopApp: () => app.stop(),
    restartApp: async () => {
      await app.stop();
      app = spawnApp();
      await waitUntil(`${spec.appId} app`, () => httpOk(`${running.appUrl}/readyz`), { timeoutMs: 60_000, abortIf });
    },
    stop: async () => {
      await app.stop();
      await sidecar.stop();
    },
  };
  const abortIf = () => app.deadReason() ?? sidecar.deadReason();
  try {
    await waitUntil(`${spec.appId} sidecar`, () => httpOk(`${running.daprUrl}/v1.0/healthz`), { timeoutMs: 60_000, abortIf });
    await waitUntil(`${spec.appId} app`, () => httpOk(`${running.appUrl}/readyz`), { timeoutMs: 60_000, abortIf });
  } catch (err) {
    await running.stop();
    throw new Error(
      `${(err as Error).message}\n--- ${spec.appId} app log ---\n${app.logTail()}\n--- ${spec.appId} daprd log ---\n${sidecar.logTail()}`,
      { cause: err },
    );
  }
  return running;
}
