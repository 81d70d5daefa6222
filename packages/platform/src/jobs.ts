import { setTimeout as sleep } from 'node:timers/promises';
import { Router } from 'express';
import type { JobFailurePolicy, JobScheduler } from './dapr/ports.ts';
import type { Logger } from './logger.ts';
import { problem, sendProblem } from './problem.ts';

/** Dapr job names here: what a URL path segment carries unescaped, and never the `||` Dapr uses as a separator. */
const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

function checkName(name: string): string {
  if (!JOB_NAME.test(name)) throw new Error(`invalid job name ${JSON.stringify(name)}: letters, digits, '.', '_', '-'`);
  return name;
}

export interface KeyedJobOptions {
  /**
   * What the Scheduler does when the handler throws (the app answers 500): by default it triggers the job again every
   * second until the handler succeeds. A handler that has nothing (more) to do must return, not throw.
   */
  failurePolicy?: JobFailurePolicy;
}

/** One-shot jobs `<prefix>-<key>`: each delivered once, at its time, to one replica of the app-id. */
export interface KeyedJobs<T> {
  /** Schedules (or replaces: overwrite) the job for `key` at `when` (a time in the past triggers at once). */
  at(key: string, when: Date, data: T): Promise<void>;
  /** Deletes the job for `key`; a job that does not exist (any more) is not an error. */
  cancel(key: string): Promise<void>;
  /** The job name for `key`. */
  name(key: string): string;
}

interface Recurring {
  name: string;
  intervalMs: number;
  task: () => Promise<unknown>;
  running: Promise<void> | undefined;
}

/**
 * App-wide background work on Dapr Jobs, run once per app-id rather than once per process.
 *
 * - `every(name, ms, task)`: a recurring job registered (overwrite) by `start()` from every replica; each tick is
 *   delivered by the Scheduler to ONE replica, which runs `task`. A failing run answers 500 and the tick is dropped
 *   (failure policy `drop`): the next tick is the retry, so a failure never piles up retries on top of ticks. If the
 *   replica running it dies, the next tick goes to another. Runs of one job never overlap within a replica (a tick
 *   that arrives during a run joins it).
 * - `keyed(prefix, handler)`: one-shot jobs `<prefix>-<key>` (e.g. a shipment's next step at its due time) scheduled
 *   with `at()`; a throwing handler answers 500 and the Scheduler triggers again per the failure policy (default:
 *   every second, without limit), so a step whose event could not be published is retried until it is.
 *
 * Triggers arrive as POST /job/<name> from the app's own sidecar: the kit's app-token check covers them, and no
 * other app can invoke /job/* (no access-table row; the sidecars' accessControl denies by default). An unknown job
 * name answers 404, which Dapr counts as done (no retry): a job whose handler is gone stops by itself.
 */
export class Jobs {
  readonly #scheduler: JobScheduler;
  readonly #logger: Logger;
  readonly #recurring = new Map<string, Recurring>();
  readonly #keyed = new Map<string, { handler: (key: string, data: unknown) => Promise<void>; failurePolicy: JobFailurePolicy }>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #registered = false;
  #stopped = false;
  #retry: { delayMs: number; maxDelayMs: number };

  constructor(scheduler: JobScheduler, logger: Logger, { retryDelayMs = 500, maxRetryDelayMs = 5_000 } = {}) {
    this.#scheduler = scheduler;
    this.#logger = logger.child({ component: 'jobs' });
    this.#retry = { delayMs: retryDelayMs, maxDelayMs: maxRetryDelayMs };
  }

  /** App-wide recurring work: `task` every `intervalMs`, in one replica per tick. Declare before start(). */
  every(name: string, intervalMs: number, task: () => Promise<unknown>): this {
    checkName(name);
    if (!Number.isInteger(intervalMs) || intervalMs < 1) throw new Error(`job ${name}: interval must be a whole number of ms >= 1`);
    if (this.#recurring.has(name) || this.#keyed.has(name)) throw new Error(`job ${name} is declared twice`);
    this.#recurring.set(name, { name, intervalMs, task, running: undefined });
    return this;
  }

  /** One-shot jobs named `<prefix>-<key>`, handled by `handler(key, data)`. */
  keyed<T>(prefix: string, handler: (key: string, data: T) => Promise<void>, options: KeyedJobOptions = {}): KeyedJobs<T> {
    checkName(prefix);
    if (this.#keyed.has(prefix) || this.#recurring.has(prefix)) throw new Error(`job prefix ${prefix} is declared twice`);
    const failurePolicy = options.failurePolicy ?? { constant: { interval: '1s' } };
    this.#keyed.set(prefix, { handler: handler as (key: string, data: unknown) => Promise<void>, failurePolicy });
    const name = (key: string) => checkName(`${prefix}-${key}`);
    return {
      name,
      at: (key, when, data) =>
        this.#scheduler.schedule(name(key), { dueTime: when.toISOString(), data: data ?? {}, failurePolicy, overwrite: true }),
      cancel: (key) => this.#scheduler.delete(name(key)),
    };
  }

  /** The recurring jobs declared so far. */
  get recurring(): string[] {
    return [...this.#recurring.keys()];
  }

  /** True once every recurring job is stored with the Scheduler (a readiness check). */
  get registered(): boolean {
    return this.#registered;
  }

  /**
   * Registers the recurring jobs through the sidecar (overwrite: every replica may, the last one wins, the schedule
   * is the same); while the sidecar or the Scheduler refuses, retries with backoff until it succeeds or stop().
   */
  async start(): Promise<void> {
    let delay = this.#retry.delayMs;
    for (;;) {
      if (this.#stopped) return;
      try {
        for (const job of this.#recurring.values()) {
          await this.#scheduler.schedule(job.name, {
            schedule: `@every ${job.intervalMs}ms`,
            data: {},
            failurePolicy: { drop: {} },
            overwrite: true,
          });
        }
        this.#registered = true;
        if (this.#recurring.size > 0)
          this.#logger.info({ jobs: [...this.#recurring.keys()] }, 'recurring jobs registered with the Dapr scheduler');
        return;
      } catch (err) {
        this.#logger.warn({ err, retry_in_ms: delay }, 'recurring jobs not registered yet (sidecar or scheduler not answering); retrying');
        await sleep(delay, undefined, { ref: false });
        delay = Math.min(this.#retry.maxDelayMs, delay * 2);
      }
    }
  }

  /** Runs a recurring job's task here and now (or joins the run in progress), e.g. a recovery pass at startup. */
  runNow(name: string): Promise<void> {
    const job = this.#recurring.get(name);
    if (!job) return Promise.reject(new Error(`no recurring job ${name}`));
    return this.#run(job);
  }

  /** Stops retrying registration, answers later triggers 503 (the Scheduler delivers elsewhere), waits for runs in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.allSettled([...this.#inFlight]);
  }

  #run(job: Recurring): Promise<void> {
    job.running ??= job
      .task()
      .then(() => undefined)
      .finally(() => {
        job.running = undefined;
      });
    return job.running;
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    void work.catch(() => undefined).finally(() => this.#inFlight.delete(work));
    return work;
  }

  #find(name: string): { run: (data: unknown) => Promise<void> } | undefined {
    const job = this.#recurring.get(name);
    if (job) return { run: () => this.#run(job) };
    let best: string | undefined;
    for (const prefix of this.#keyed.keys()) {
      if (name.startsWith(`${prefix}-`) && name.length > prefix.length + 1 && (!best || prefix.length > best.length)) best = prefix;
    }
    if (best === undefined) return undefined;
    const { handler } = this.#keyed.get(best)!;
    const key = name.slice(best.length + 1);
    return { run: (data) => handler(key, data) };
  }

  /** POST /job/:name, the trigger Dapr delivers. */
  router(): Router {
    const router = Router();
    router.post('/job/:name', async (req, res) => {
      const name = String(req.params.name);
      const job = this.#find(name);
      if (!job) {
        this.#logger.warn({ job: name }, 'trigger for a job this app does not handle; answered 404 (Dapr will not retry)');
        return sendProblem(res, problem(404, { code: 'JOB.UNKNOWN', detail: `No handler for the job ${name}.` }));
      }
      if (this.#stopped) return sendProblem(res, problem(503, { code: 'JOB.STOPPING', detail: 'This replica is shutting down.' }));
      try {
        await this.#track(job.run(req.body));
        res.json({ job: name, status: 'done' });
      } catch (err) {
        this.#logger.warn({ err, job: name }, `job ${name} failed; the scheduler decides the retry (its failure policy)`);
        sendProblem(res, problem(500, { code: 'JOB.FAILED', detail: `The job ${name} failed.` }));
      }
    });
    return router;
  }
}
