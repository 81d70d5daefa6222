import type { Server } from 'node:http';
import type { Logger } from './logger.ts';
import type { Readiness } from './readiness.ts';

export type ShutdownHook = () => unknown;

export interface ShutdownOptions {
  server: Server;
  readiness: Readiness;
  /** Run in reverse order of registration: last opened, first closed. */
  hooks: readonly ShutdownHook[];
  logger: Logger;
  /** How long in-flight requests may take to finish; then their connections are cut. */
  drainTimeoutMs: number;
}

/**
 * Returns `stop()`: report not-ready, stop accepting connections, let in-flight requests finish (bounded),
 * then run the hooks (close mongoose, the Dapr client, flush the OTel SDK). Calling it twice is harmless.
 */
export function gracefulStop(options: ShutdownOptions): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= run(options));
}

async function run({ server, readiness, hooks, logger, drainTimeoutMs }: ShutdownOptions): Promise<void> {
  readiness.drain();
  const drained = await closeServer(server, drainTimeoutMs);
  if (!drained) logger.warn({ drainTimeoutMs }, 'in-flight requests cut off after the drain timeout');
  for (const hook of [...hooks].reverse()) {
    try {
      await hook();
    } catch (err) {
      logger.error({ err }, 'shutdown hook failed');
    }
  }
}

function closeServer(server: Server, timeoutMs: number): Promise<boolean> {
  if (!server.listening) return Promise.resolve(true);
  return new Promise((resolve) => {
    // Keep-alive sockets (the sidecar holds some) keep close() open: close each one as soon as it turns idle,
    // i.e. once its in-flight request has been answered.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const timer = setTimeout(() => {
      clearInterval(sweep);
      server.closeAllConnections();
      resolve(false);
    }, timeoutMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(timer);
      resolve(true);
    });
    server.closeIdleConnections();
  });
}

/** SIGTERM/SIGINT → stop() → exit 0; a second signal while stopping exits 1 at once. */
export function exitOnSignals(stop: () => Promise<void>, logger: Logger): void {
  let signalled = false;
  const exit = (code: number) => process.exit(code); // the logger writes synchronously: nothing is lost
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal while stopping: exiting now');
      return exit(1);
    }
    signalled = true;
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => {
        logger.info('stopped');
        exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
