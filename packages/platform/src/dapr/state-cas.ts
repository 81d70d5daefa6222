import { setTimeout as delay } from 'node:timers/promises';
import { AppError } from '../errors.ts';
import { StateConflictError, type StateStore } from './ports.ts';

/** What a decision makes of the current value: write `next` (and answer `result`), or leave it alone. */
export type Change<T, R> = { next: T; result: R; ttlInSeconds?: number } | { result: R };

export interface CasOptions {
  /** Reads + saves before giving up with a 503 (`busyCode`): never a blind write. */
  attempts: number;
  busyCode: string;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * Optimistic concurrency on one state-store key: read (value + etag) → decide → save with that etag. When another
 * writer got there first the save fails with StateConflictError and the whole read-decide-save starts over after a
 * full-jitter backoff, so `decide` always sees the value it replaces. `decide` must be pure: it can run many times.
 */
export async function casUpdate<T, R>(
  store: StateStore,
  key: string,
  decide: (current: T | undefined) => Change<T, R>,
  options: CasOptions,
): Promise<R> {
  const { baseDelayMs = 4, maxDelayMs = 100, sleep = (ms: number) => delay(ms), random = Math.random } = options;
  for (let attempt = 1; ; attempt++) {
    const entry = await store.get<T>(key);
    const change = decide(entry?.value);
    if (!('next' in change)) return change.result;
    const ttl = change.ttlInSeconds === undefined ? {} : { ttlInSeconds: change.ttlInSeconds };
    try {
      if (entry) await store.save(key, change.next, { etag: entry.etag, ...ttl });
      else await createIfAbsent(store, key, change.next, change.ttlInSeconds);
      return change.result;
    } catch (err) {
      if (!(err instanceof StateConflictError)) throw err;
      if (attempt >= options.attempts) {
        throw new AppError(503, options.busyCode, 'Too many concurrent changes to the same item; retry.', { key });
      }
      await sleep(Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt)));
    }
  }
}

/**
 * The port has no "insert if absent". On Redis (state.redis, the default component) a first-write save with etag
 * "0" is exactly that, atomically: a missing key is created, an existing one (versions start at 1, and every
 * write here carries an etag) is a conflict. A store that refuses any etag on a missing key (the unit-test fake,
 * PostgreSQL) reports a conflict while the key is still absent: then the first write falls back to a plain save,
 * last-write-wins for that one write only.
 */
export async function createIfAbsent<T>(store: StateStore, key: string, value: T, ttlInSeconds?: number): Promise<void> {
  const ttl = ttlInSeconds === undefined ? {} : { ttlInSeconds };
  try {
    await store.save(key, value, { etag: '0', ...ttl });
  } catch (err) {
    if (!(err instanceof StateConflictError) || (await store.get(key))) throw err;
    await store.save(key, value, ttl);
  }
}
