import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import type { LockStore } from './dapr/ports.ts';
import { AppError } from './errors.ts';
import type { Logger } from './logger.ts';

/** Runs tasks for one key one at a time: KeyedLock across replicas, KeyedMutex within one process (unit tests). */
export interface KeyedRunner {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/**
 * Runs tasks for the same key one after another within this process (different keys run freely). The in-process
 * half of KeyedLock; on its own it serialises only one replica.
 */
export class KeyedMutex implements KeyedRunner {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    // Forget the key once nothing is queued behind this task, so the map holds only busy keys.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or queued. */
  get size(): number {
    return this.#tails.size;
  }
}

export interface KeyedLockOptions {
  /**
   * The lease: a holder that dies keeps the key this long at most. Must exceed the longest task (a task still running
   * when its lease ends no longer excludes other replicas: that is logged as an error on release).
   */
  leaseSeconds: number;
  /** The 503's code when the key stays taken (or the lock store unreachable) for `acquireTimeoutMs`. */
  busyCode: string;
  /** How long to keep trying for the lease; default 15 s. */
  acquireTimeoutMs?: number;
  /** Full-jitter backoff between attempts: random in [0, min(maxDelayMs, baseDelayMs * 2^attempt)); default 5 and 250 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Lock keys are `<prefix><key>` (Dapr adds the app-id); default none. */
  prefix?: string;
  logger?: Logger;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/**
 * One writer per key across every replica of an app: first the in-process queue per key (so a replica sends one
 * contender per key to the store, not one per request), then a lease on the Dapr distributed lock API (`lock.redis`:
 * SET NX with expiry), retried with full-jitter backoff until `acquireTimeoutMs`, released in `finally`. A replica
 * that dies while holding a key loses it when the lease expires. Each acquisition has its own owner id, so a release
 * never frees a lease someone else took after ours expired.
 */
export class KeyedLock implements KeyedRunner {
  readonly #store: LockStore;
  readonly #mutex = new KeyedMutex();
  readonly #options: Required<Omit<KeyedLockOptions, 'logger'>> & { logger: Logger | undefined };
  readonly #process = randomUUID();
  #acquisitions = 0;

  constructor(store: LockStore, options: KeyedLockOptions) {
    if (!Number.isInteger(options.leaseSeconds) || options.leaseSeconds < 1) {
      throw new Error(`KeyedLock: leaseSeconds must be a whole number of seconds >= 1 (got ${options.leaseSeconds})`);
    }
    this.#store = store;
    this.#options = {
      acquireTimeoutMs: 15_000,
      baseDelayMs: 5,
      maxDelayMs: 250,
      prefix: '',
      sleep: (ms: number) => sleep(ms),
      random: Math.random,
      now: Date.now,
      ...options,
      logger: options.logger,
    };
  }

  /** Runs `task` holding `key` in this process and across replicas; throws a 503 AppError when the key stays taken. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    // Dapr joins the app-id and the key with `||` and refuses keys that contain it.
    if (key.length === 0 || key.includes('||')) return Promise.reject(new Error(`KeyedLock: invalid key ${JSON.stringify(key)}`));
    return this.#mutex.run(key, async () => {
      const resource = this.#options.prefix + key;
      const owner = `${this.#process}:${++this.#acquisitions}`;
      await this.#acquire(resource, owner);
      try {
        return await task();
      } finally {
        await this.#release(resource, owner);
      }
    });
  }

  /** Keys with a task running or queued in this process. */
  get size(): number {
    return this.#mutex.size;
  }

  async #acquire(resource: string, owner: string): Promise<void> {
    const { acquireTimeoutMs, baseDelayMs, maxDelayMs, leaseSeconds, sleep, random, now, busyCode } = this.#options;
    const deadline = now() + acquireTimeoutMs;
    let lastError: unknown;
    for (let attempt = 1; ; attempt++) {
      try {
        if (await this.#store.tryLock(resource, owner, leaseSeconds)) return;
        lastError = undefined;
      } catch (err) {
        lastError = err; // the store did not answer: keep trying until the deadline, like a taken key
      }
      const left = deadline - now();
      if (left <= 0) {
        this.#options.logger?.warn({ err: lastError, resource }, 'lock not acquired in time');
        throw new AppError(
          503,
          busyCode,
          lastError === undefined ? 'The item is being changed by another request; retry.' : 'The lock store is unavailable; retry.',
          { key: resource },
        );
      }
      await sleep(Math.min(left, Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt))));
    }
  }

  async #release(resource: string, owner: string): Promise<void> {
    try {
      const status = await this.#store.unlock(resource, owner);
      if (status !== 'released') {
        this.#options.logger?.error(
          { resource, status, lease_seconds: this.#options.leaseSeconds },
          'lock lease ended before the task did: another replica may have written meanwhile (raise the lease)',
        );
      }
    } catch (err) {
      // The lease still ends by itself; the task's own outcome stands.
      this.#options.logger?.warn({ err, resource }, 'lock release failed; the lease expires by itself');
    }
  }
}
