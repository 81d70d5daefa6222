import { describe, expect, it } from 'vitest';
import { StateConflictError, type StateStore } from '../src/dapr/ports.ts';
import { createMemoryDapr } from '../src/dapr/memory.ts';
import { casUpdate, createIfAbsent } from '../src/dapr/state-cas.ts';

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<{ status: number; code: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    return err as { status: number; code: string; details?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}

const yieldTurn = () => new Promise<void>((r) => setImmediate(r));

function countingStore() {
  const inner = createMemoryDapr().state('statestore');
  const counts = { conflicts: 0 };
  const store: StateStore = {
    storeName: inner.storeName,
    get: (k) => inner.get(k),
    delete: (k, o) => inner.delete(k, o),
    async save(k, v, o) {
      try {
        await inner.save(k, v, o);
      } catch (err) {
        if (err instanceof StateConflictError) counts.conflicts++;
        throw err;
      }
    },
  };
  return { store, counts };
}

describe('casUpdate', () => {
  it('retries on an etag conflict so that concurrent read-modify-writes all survive', async () => {
    const { store, counts } = countingStore();
    await store.save('n', 0);
    const bump = () =>
      casUpdate<number, void>(store, 'n', (n = 0) => ({ next: n + 1, result: undefined }), {
        attempts: 100,
        busyCode: 'X.BUSY',
        sleep: yieldTurn,
      });
    await Promise.all(Array.from({ length: 20 }, bump));
    expect((await store.get<number>('n'))?.value).toBe(20);
    expect(counts.conflicts).toBeGreaterThan(0);
  });

  it('gives up with 503 and the busy code after the last attempt, never writing blindly', async () => {
    const store: StateStore = {
      storeName: 's',
      get: async <T>() => ({ value: 1 as T, etag: '1' }),
      save: async (k) => {
        throw new StateConflictError(k);
      },
      delete: async () => {},
    };
    const slept: number[] = [];
    const err = await rejection(
      casUpdate(store, 'k', (n: number | undefined) => ({ next: (n ?? 0) + 1, result: 0 }), {
        attempts: 4,
        busyCode: 'X.BUSY',
        sleep: async (ms) => void slept.push(ms),
        random: () => 0.999,
      }),
    );
    expect(err).toMatchObject({ status: 503, code: 'X.BUSY' });
    expect(slept).toEqual([7, 15, 31]); // full jitter under 4·2^attempt ms
  });

  it('writes nothing when the decision says so', async () => {
    const { store } = countingStore();
    expect(await casUpdate(store, 'k', () => ({ result: 'kept' }), { attempts: 1, busyCode: 'X' })).toBe('kept');
    expect(await store.get('k')).toBeUndefined();
  });

  it('createIfAbsent creates a missing key and refuses an existing one', async () => {
    const { store } = countingStore();
    await createIfAbsent(store, 'k', { v: 1 });
    expect((await store.get('k'))?.value).toEqual({ v: 1 });
    await expect(createIfAbsent(store, 'k', { v: 2 })).rejects.toBeInstanceOf(StateConflictError);
    expect((await store.get('k'))?.value).toEqual({ v: 1 });
  });
});
