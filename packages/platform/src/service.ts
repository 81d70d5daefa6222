import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router, type Express } from 'express';
import type { DestinationStream } from 'pino';
import { z } from 'zod';
import { createApp, finalizeApp } from './app.ts';
import { ConfigError, loadConfig, type BaseConfig, type Config, type ConfigShape } from './config.ts';
import type { DaprPorts } from './dapr/ports.ts';
import { Jobs } from './jobs.ts';
import { createLogger, type Logger } from './logger.ts';
import { connectMongo, type Mongo } from './mongo.connect.ts';
import { clientErrorHandler } from './problem.ts';
import { opsRoutes } from './ops.routes.ts';
import { Readiness, type ReadinessCheck } from './readiness.ts';
import { exitOnSignals, gracefulStop, type ShutdownHook } from './shutdown.ts';
import { isTelemetryStarted, shutdownTelemetry } from './telemetry.ts';

export interface ServiceOptions<S extends ConfigShape, M extends boolean | string> {
  /** The service's own settings, merged with the base ones (APP_ID, APP_PORT, DAPR_*, ...). */
  configShape?: S;
  /** true: connect to the URI in MONGODB_URI; a string: the variable that holds the URI instead. */
  mongo?: M;
  /** Replaces the Dapr adapters (tests pass createMemoryDapr() from @globalmart/platform/testing). */
  dapr?: DaprPorts;
  env?: Record<string, string | undefined>;
  jsonLimit?: string | number;
  /** /healthz answers 503 until the readiness checks have passed once (the gateway waits for what it fronts). */
  livenessAwaitsReadiness?: boolean;
  /** Successful requests on these paths are logged at debug (see AppOptions.quietPaths). */
  quietPaths?: string[];
  /** Per readiness check; default 2 s. */
  readinessTimeoutMs?: number;
  /** How long in-flight requests may finish after SIGTERM; default 10 s. */
  drainTimeoutMs?: number;
  logDestination?: DestinationStream;
  /** Default true: a config or startup failure prints one line and exits 1 (fail fast). false: it throws. */
  exitOnStartupError?: boolean;
  /** Default true: SIGTERM/SIGINT stop the service gracefully and exit. */
  handleSignals?: boolean;
  /**
   * The public edge (the gateway): clients reach its port directly, so it takes no app token. Every other app
   * refuses to start in production without APP_API_TOKEN (what its sidecar presents) and DAPR_API_TOKEN (what it
   * presents to its sidecar).
   */
  publicEdge?: boolean;
}

export interface RunningService {
  server: Server;
  url: string;
  /** The graceful stop the signal handlers run, without exiting the process. */
  stop(): Promise<void>;
}

export interface Service<C, M> {
  config: C;
  logger: Logger;
  app: Express;
  /** Middleware that runs before the kit's own (probes, tokens, body parsing): the gateway's edge goes here. */
  edge: Router;
  dapr: DaprPorts;
  mongo: M;
  /**
   * App-wide background work on Dapr Jobs (once per app-id, not per process): declare with `jobs.every(...)` /
   * `jobs.keyed(...)`; start() registers the recurring ones after listening, and /readyz waits for that.
   */
  jobs: Jobs;
  addReadinessCheck(name: string, check: ReadinessCheck): void;
  /** Hooks run in reverse order of registration after the server has drained. */
  onShutdown(hook: ShutdownHook): void;
  /** Adds the 404/error handlers, listens on APP_HOST:APP_PORT, logs the URL, installs graceful shutdown. */
  start(): Promise<RunningService>;
}

/** The one call: config, logger, app with health and errors, Dapr ports, optional MongoDB. */
export async function createService<S extends ConfigShape = Record<never, never>, M extends boolean | string = false>(
  options: ServiceOptions<S, M> = {},
): Promise<Service<Config<S>, M extends false ? undefined : Mongo>> {
  const exitOnError = options.exitOnStartupError ?? true;
  const mongoKey = typeof options.mongo === 'string' ? options.mongo : options.mongo ? 'MONGODB_URI' : undefined;
  let config: Config<S>;
  try {
    const shape = { ...options.configShape, ...(mongoKey ? { [mongoKey]: z.string().min(1) } : {}) } as S;
    config = loadConfig(shape, options.env);
    requireTokens(config, options.publicEdge ?? false);
  } catch (err) {
    if (!exitOnError || !(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config, options.logDestination);
  try {
    return await assemble(config, logger, mongoKey, options);
  } catch (err) {
    if (!exitOnError) throw err;
    logger.fatal({ err }, 'startup failed');
    process.exit(1);
  }
}

/** Outside development a service never runs with an open sidecar or an open port. */
function requireTokens(config: BaseConfig, publicEdge: boolean): void {
  // `test` is vitest's own setting for in-process unit tests; the images (and Helm) run with production.
  if (config.NODE_ENV !== 'production') return;
  const missing: { variable: string; problem: string }[] = [];
  if (!config.DAPR_API_TOKEN)
    missing.push({ variable: 'DAPR_API_TOKEN', problem: `is missing (required when NODE_ENV=${config.NODE_ENV})` });
  if (!publicEdge && !config.APP_API_TOKEN) {
    missing.push({ variable: 'APP_API_TOKEN', problem: `is missing (required when NODE_ENV=${config.NODE_ENV})` });
  }
  if (missing.length > 0) throw new ConfigError(missing);
}

async function assemble<C extends BaseConfig, M>(
  config: C,
  logger: Logger,
  mongoKey: string | undefined,
  options: ServiceOptions<ConfigShape, boolean | string>,
): Promise<Service<C, M>> {
  if (!isTelemetryStarted()) {
    logger.warn('tracing is off: start with node --import @globalmart/platform/telemetry');
  }
  const hooks: ShutdownHook[] = [shutdownTelemetry];
  const readiness = new Readiness(options.readinessTimeoutMs);
  let dapr = options.dapr;
  if (!dapr) {
    // Loaded on demand: @dapr/dapr is heavy, and unit tests that pass fakes never need it.
    const { createDaprAdapters } = await import('./dapr/dapr.adapters.ts');
    const adapters = createDaprAdapters(config, logger);
    hooks.push(() => adapters.close());
    dapr = adapters;
  }
  const health = dapr.health;
  readiness.add('sidecar', () => health.isReady());
  let mongo: Mongo | undefined;
  if (mongoKey) {
    const uri = String((config as Record<string, unknown>)[mongoKey]);
    const connected = await connectMongo(uri, logger);
    hooks.push(() => connected.close());
    readiness.add('mongo', () => connected.ping());
    mongo = connected;
  }
  const edge = Router();
  const jobs = new Jobs(dapr.jobs, logger, { maxRetryDelayMs: 2_000 });
  const app = createApp({
    edge,
    config,
    logger,
    readiness,
    jsonLimit: options.jsonLimit ?? '100kb',
    livenessAwaitsReadiness: options.livenessAwaitsReadiness ?? false,
    // A recurring job triggers every second or so: one info line each would drown the log.
    quietPaths: [...(options.quietPaths ?? []), '/job/*'],
  });
  app.use(jobs.router());
  // The admin console's Operations view of this app's sidecar; never on the public edge (it has no app token).
  if (!options.publicEdge) app.use(opsRoutes(config, dapr.invoker));
  return {
    config,
    logger,
    app,
    edge,
    dapr,
    mongo: mongo as M,
    jobs,
    addReadinessCheck: (name, check) => void readiness.add(name, check),
    onShutdown: (hook) => void hooks.push(hook),
    async start() {
      finalizeApp(app, logger);
      const server = createServer(app);
      // What node's HTTP parser refuses (a bad method token, > 16 KiB of headers) gets problem+json too, not a bare 400/431.
      server.on('clientError', clientErrorHandler(logger));
      // Longer than the sidecar's idle keep-alive so Node never closes a socket Dapr is about to reuse.
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = 66_000;
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(config.APP_PORT, config.APP_HOST, () => {
            server.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        if (!(options.exitOnStartupError ?? true)) throw err;
        logger.fatal({ err }, `cannot listen on ${config.APP_HOST}:${config.APP_PORT}`);
        process.exit(1);
      }
      const { address, port } = server.address() as AddressInfo;
      const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
      logger.info({ url }, `${config.APP_ID} listening on ${url}`);
      // After listening: the sidecar delivers triggers only to an app that answers. Not awaited: it retries until the
      // sidecar and the scheduler answer, and /readyz reports it meanwhile.
      if (jobs.recurring.length > 0) readiness.add('jobs', async () => jobs.registered);
      hooks.push(() => jobs.stop());
      void jobs.start();
      const stop = gracefulStop({ server, readiness, hooks, logger, drainTimeoutMs: options.drainTimeoutMs ?? 10_000 });
      if (options.handleSignals ?? true) exitOnSignals(stop, logger);
      return { server, url, stop };
    },
  };
}
