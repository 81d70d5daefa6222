import type { Logger } from './logger.ts';

export interface Periodic {
  /** Runs the task now (or joins the run in progress) and resolves when it is done. */
  runNow(): Promise<void>;
  /** Stops the timer and waits for a run in progress (a shutdown hook). */
  stop(): Promise<void>;
}

/**
 * Per-PROCESS background work (e.g. a replica refreshing its own in-memory caches): `task` every `intervalMs`, never
 * two runs at once, a failed run logged and retried at the next tick, the timer never keeping the process alive.
 * Work that must happen once per app-id (outbox relays, sweeps, rollups) is a Dapr job instead: `Jobs` (jobs.ts).
 */
export function every(
  name: string,
  intervalMs: number,
  task: () => Promise<unknown>,
  logger: Logger,
  { runAtStart = false } = {},
): Periodic {
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= task()
      .then(() => undefined)
      .catch((err: unknown) => logger.warn({ err, job: name }, `${name} failed; next run in ${intervalMs} ms`))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  if (runAtStart) void run();
  return {
    runNow: run,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
