import type { Logger } from '@globalmart/platform';

export interface Periodic {
  /** Runs the task now (or waits for the run in progress) and resolves when it is done. */
  runNow(): Promise<void>;
  stop(): void;
}

/** Runs `task` at start and then every `intervalMs`, never two runs at once; a failed run is logged, not fatal. */
export function every(name: string, intervalMs: number, task: () => Promise<void>, logger: Logger): Periodic {
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= task()
      .catch((err: unknown) => logger.warn({ err, job: name }, `${name} failed; next run in ${intervalMs} ms`))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  void run();
  return { runNow: run, stop: () => clearInterval(timer) };
}
