import { describe, expect, it, vi } from 'vitest';
import { MemoryLockStore } from '../src/dapr/memory.ts';
import { AppError } from '../src/errors.ts';
import { KeyedLock } from '../src/locks.ts';
import { captureLogger } from './helpers.ts';

/** Lets other pending work run (one macrotask turn); no time passes, the lease clock is the fake one below. */
const yieldTurn = () => new Promise((resolve) => setImmediate(resolve));

// Two "replicas": two KeyedLocks (each its own process id and in-process queue) on one fake lock store (the sidecars'
// shared lock.redis), with a controllable clock for the lease.
function replicas(options: Partial<ConstructorParameters<typeof KeyedLock>[1]> = {}) {
  let clock = 1_000_000;
  const store = new MemoryLockStore('lockstore', () => clock);
  const sleeps: number[] = [];
  let backedOff!: () => void;
  /** Resolves when a contender first backs off (its first sleep): the moment it has found the key taken. */
  const firstBackoff = new Promise<void>((resolve) => (backedOff = resolve));
  const make = () =>
    new KeyedLock(store, {
      leaseSeconds: 10,
      busyCode: 'TEST.BUSY',
      now: () => clock,
      // A sleep advances the fake clock, so the deadline is reached without waiting for real.
      sleep: async (ms) => {
        sleeps.push(ms);
        backedOff();
        clock += ms;
        await yieldTurn();
      },
      ...options,
    });
  return { store, a: make(), b: make(), sleeps, firstBackoff, advance: (ms: number) => void (clock += ms) };
}

describe('KeyedLock', () => {
  it('lets one replica at a time hold a key; the other waits with jittered backoff and runs after the release', async () => {
    const { a, b, store, sleeps, firstBackoff } = replicas();
    const order: string[] = [];
    let release!: () => void;
    const first = a.run('order-1', async () => {
      order.push('a:start');
      await new Promise<void>((resolve) => (release = resolve));
      order.push('a:end');
    });
    await vi.waitFor(() => expect(order).toEqual(['a:start']));
    const second = b.run('order-1', async () => void order.push('b'));
    // b found the key taken and is backing off: it has not run while a holds the lock.
    await firstBackoff;
    expect(order).toEqual(['a:start']);
    expect(store.holder('order-1')).toMatch(/:1$/);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['a:start', 'a:end', 'b']);
    expect(sleeps.length).toBeGreaterThan(0);
    expect(sleeps.every((ms) => ms >= 0 && ms < 250)).toBe(true);
    expect(store.holder('order-1')).toBeUndefined(); // released in finally
  });

  it('queues same-key tasks within a replica (one contender per key at the store) and runs other keys freely', async () => {
    const { a, store } = replicas();
    let active = 0;
    let most = 0;
    const task = async () => {
      active++;
      most = Math.max(most, active);
      await yieldTurn();
      active--;
    };
    await Promise.all([a.run('k', task), a.run('k', task), a.run('k', task)]);
    expect(most).toBe(1);
    expect(store.attempts).toBe(3); // each got the lease first time: never contended with itself
    const both = await Promise.all([a.run('x', async () => 'x'), a.run('y', async () => 'y')]);
    expect(both).toEqual(['x', 'y']);
  });

  it('releases the lease when the task throws, and the error reaches the caller', async () => {
    const { a, b, store } = replicas();
    await expect(a.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(store.holder('k')).toBeUndefined();
    expect(await b.run('k', async () => 'next')).toBe('next');
  });

  it('a holder that dies keeps the key only until its lease expires', async () => {
    const { store, b, advance } = replicas({ acquireTimeoutMs: 60_000 });
    // A replica took the lease and died: nobody will ever unlock it.
    expect(await store.tryLock('k', 'dead-replica:1', 10)).toBe(true);
    const ran = b.run('k', async () => 'after expiry');
    advance(10_000);
    expect(await ran).toBe('after expiry');
  });

  it('gives up with a 503 (the busy code) once the key stays taken past the bound', async () => {
    const { store, a } = replicas({ acquireTimeoutMs: 2_000 });
    await store.tryLock('k', 'someone-else', 600);
    let ran = false;
    const err = await a.run('k', async () => void (ran = true)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 503, code: 'TEST.BUSY' });
    expect(ran).toBe(false);
  });

  it('retries through a lock-store outage, and says so when it outlasts the bound', async () => {
    const { store, a } = replicas({ acquireTimeoutMs: 2_000 });
    store.failNext = 3;
    expect(await a.run('k', async () => 'ok')).toBe('ok');
    store.failNext = 1_000;
    const err = await a.run('k', async () => 'never').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503, detail: 'The lock store is unavailable; retry.' });
  });

  it('logs an error when the lease ran out before the task finished (it must be longer than any task)', async () => {
    const { logger, lines } = captureLogger();
    const { a, advance } = replicas({ logger });
    await a.run('k', async () => void advance(11_000));
    expect(lines.some((l) => l.level === 'error' && String(l.msg).includes('lock lease ended before the task did'))).toBe(true);
  });

  it('prefixes keys and refuses keys Dapr cannot take', async () => {
    const { store } = replicas();
    const lock = new KeyedLock(store, { leaseSeconds: 5, busyCode: 'B', prefix: 'order-' });
    await lock.run('o1', async () => expect(store.holder('order-o1')).toBeDefined());
    await expect(lock.run('a||b', async () => 1)).rejects.toThrow('invalid key');
    expect(() => new KeyedLock(store, { leaseSeconds: 0, busyCode: 'B' })).toThrow('leaseSeconds');
  });
});
