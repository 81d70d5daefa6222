import { createLogger, loadConfig, StateConflictError, type SaveOptions } from '@globalmart/platform';
import { MemoryStateStore } from '@globalmart/platform/testing';
import { describe, expect, it } from 'vitest';
import { APPLIED_RING, createLearner, eventKey, INDEX_KEY, productKey, type ProductDoc } from '../src/learner.ts';
import { Model } from '../src/model.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'recommendations', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const cas = { attempts: 50, busyCode: 'RECOMMENDATIONS.BUSY', sleep: () => new Promise<void>((r) => setImmediate(r)) };

/** A store whose chosen saves fail once, like a process dying (or the sidecar going away) between two writes. */
class FlakyStore extends MemoryStateStore {
  failNext = new Set<string>();
  override async save<T>(key: string, value: T, options?: SaveOptions): Promise<void> {
    if (this.failNext.delete(key)) throw new Error(`connection reset while saving ${key}`);
    return super.save(key, value, options);
  }
}

function learner(store = new FlakyStore(), model = new Model(), userCacheMs = 60_000) {
  return { store, model, learner: createLearner({ store, model, cas, logger, eventMemorySeconds: 3600, userCacheMs }) };
}
const doc = async (store: MemoryStateStore, id: string) => (await store.get<ProductDoc>(productKey(id)))?.value;

describe('learning from OrderConfirmed', () => {
  it('counts every pair of distinct products once per order, whatever the quantities or repeated lines', async () => {
    const { store, model, learner: l } = learner();
    expect(await l.orderConfirmed(['prd_00000a', 'prd_00000b', 'prd_00000a', 'prd_00000c'], 'ord_1:OrderConfirmed')).toBe('applied');
    expect(await doc(store, 'prd_00000a')).toMatchObject({ purchases: 1, co: { prd_00000b: 1, prd_00000c: 1 } });
    expect(model.stats('prd_00000b')).toMatchObject({ purchases: 1, co: { prd_00000a: 1, prd_00000c: 1 } });
    await l.orderConfirmed(['prd_00000a', 'prd_00000b'], 'ord_2:OrderConfirmed');
    expect(model.stats('prd_00000a')).toMatchObject({ purchases: 2, co: { prd_00000b: 2, prd_00000c: 1 } });
    expect((await store.get<{ product_ids: string[] }>(INDEX_KEY))?.value.product_ids).toEqual(['prd_00000a', 'prd_00000b', 'prd_00000c']);
  });

  it('applies the same CloudEvent id once, also when two deliveries race', async () => {
    const { store, model, learner: l } = learner();
    await l.orderConfirmed(['prd_00000a', 'prd_00000b'], 'evt-1');
    expect(await l.orderConfirmed(['prd_00000a', 'prd_00000b'], 'evt-1')).toBe('duplicate');
    await Promise.all([l.orderConfirmed(['prd_00000a', 'prd_00000c'], 'evt-2'), l.orderConfirmed(['prd_00000a', 'prd_00000c'], 'evt-2')]);
    expect(await doc(store, 'prd_00000a')).toMatchObject({ purchases: 2, co: { prd_00000b: 1, prd_00000c: 1 } });
    expect(model.stats('prd_00000c')).toMatchObject({ purchases: 1, co: { prd_00000a: 1 } });
  });

  it('after a failure between two documents, the redelivery completes the event without counting any part twice', async () => {
    const { store, model, learner: l } = learner();
    store.failNext.add(productKey('prd_00000b'));
    await expect(l.orderConfirmed(['prd_00000a', 'prd_00000b'], 'evt-1')).rejects.toThrow(/connection reset/);
    expect(await doc(store, 'prd_00000a')).toMatchObject({ purchases: 1 }); // half applied
    expect(await store.get(eventKey('evt-1'))).toBeUndefined(); // not remembered as done
    expect(await l.orderConfirmed(['prd_00000a', 'prd_00000b'], 'evt-1')).toBe('applied');
    expect(await doc(store, 'prd_00000a')).toMatchObject({ purchases: 1, co: { prd_00000b: 1 } });
    expect(await doc(store, 'prd_00000b')).toMatchObject({ purchases: 1, co: { prd_00000a: 1 } });
    expect(model.stats('prd_00000a')?.purchases).toBe(1);
  });

  it('after a failure on the done-marker, the redelivery changes nothing', async () => {
    const { store, learner: l } = learner();
    store.failNext.add(eventKey('evt-1'));
    await expect(l.orderConfirmed(['prd_00000a', 'prd_00000b'], 'evt-1')).rejects.toThrow(/connection reset/);
    expect(await l.orderConfirmed(['prd_00000a', 'prd_00000b'], 'evt-1')).toBe('duplicate');
    expect(await doc(store, 'prd_00000a')).toMatchObject({ purchases: 1, co: { prd_00000b: 1 } });
    expect(await store.get(eventKey('evt-1'))).toBeDefined();
  });

  it('still recognises a late duplicate after its id has left the documents’ bounded lists', async () => {
    const { store, learner: l } = learner();
    await l.orderConfirmed(['prd_00000a', 'prd_00000b'], 'evt-old');
    for (let i = 0; i < APPLIED_RING + 1; i++)
      await l.productViewed({ product_id: 'prd_00000a', occurred_at: new Date().toISOString() }, `view-${i}`);
    const a = (await doc(store, 'prd_00000a'))!;
    expect(a.applied).toHaveLength(APPLIED_RING);
    expect(a.applied).not.toContain('evt-old');
    expect(await l.orderConfirmed(['prd_00000a', 'prd_00000b'], 'evt-old')).toBe('duplicate');
    expect((await doc(store, 'prd_00000a'))!.purchases).toBe(1);
  });
});

describe('learning from ProductViewed', () => {
  it('counts views once per event id and keeps the user’s recent views, newest first, one entry per product', async () => {
    const { store, model, learner: l } = learner();
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    await l.productViewed({ product_id: 'prd_00000a', user_id: 'u|1', occurred_at: at(1) }, 'v1');
    await l.productViewed({ product_id: 'prd_00000b', user_id: 'u|1', occurred_at: at(2) }, 'v2');
    await l.productViewed({ product_id: 'prd_00000a', user_id: 'u|1', occurred_at: at(3) }, 'v3');
    await l.productViewed({ product_id: 'prd_00000a', user_id: 'u|1', occurred_at: at(3) }, 'v3');
    expect(model.stats('prd_00000a')?.views).toBe(2);
    expect(await l.recentViews('u|1')).toEqual(['prd_00000a', 'prd_00000b']);
    // Another replica (a fresh learner on the same store) reads them through from the store.
    const other = learner(store);
    expect(await other.learner.recentViews('u|1')).toEqual(['prd_00000a', 'prd_00000b']);
    expect(await other.learner.recentViews('nobody')).toEqual([]);
  });
});

describe('persistence and replicas', () => {
  it('a restart reloads what was learned; another replica converges on its next reload, never going back', async () => {
    const store = new FlakyStore();
    const one = learner(store);
    const two = learner(store);
    await one.learner.orderConfirmed(['prd_00000a', 'prd_00000b'], 'evt-1');
    expect(two.model.stats('prd_00000a')).toBeUndefined();
    expect(two.learner.loaded()).toBe(false);
    await two.learner.reload();
    expect(two.learner.loaded()).toBe(true);
    expect(two.model.stats('prd_00000a')).toMatchObject({ purchases: 1, co: { prd_00000b: 1 } });
    await two.learner.orderConfirmed(['prd_00000a', 'prd_00000c'], 'evt-2');
    await one.learner.reload();
    expect(one.model.stats('prd_00000a')).toMatchObject({ purchases: 2, co: { prd_00000b: 1, prd_00000c: 1 } });
    expect(one.model.forProduct('prd_00000a', 5).map((r) => r.product_id)).toEqual(['prd_00000b', 'prd_00000c']);
    const restarted = learner(store);
    await restarted.learner.reload();
    expect(restarted.model.stats('prd_00000c')).toMatchObject({ purchases: 1, co: { prd_00000a: 1 } });
  });

  it('leaves an event for redelivery when the store keeps conflicting', async () => {
    const store = new FlakyStore();
    const l = createLearner({ store, model: new Model(), cas: { ...cas, attempts: 2 }, logger, eventMemorySeconds: 60, userCacheMs: 0 });
    const save = store.save.bind(store);
    store.save = async (key, value, options) => {
      if (key === productKey('prd_00000a')) throw new StateConflictError(key);
      return save(key, value, options);
    };
    await expect(l.orderConfirmed(['prd_00000a'], 'evt-1')).rejects.toMatchObject({ status: 503 });
    expect(await store.get(eventKey('evt-1'))).toBeUndefined();
  });
});

describe('views of one product arriving together', () => {
  it('are written together: each counted once (a repeated id once), in fewer writes than views, without conflicts', async () => {
    class CountingStore extends FlakyStore {
      productSaves = 0;
      conflicts = 0;
      override async save<T>(key: string, value: T, options?: SaveOptions): Promise<void> {
        if (key !== productKey('prd_00000a')) return super.save(key, value, options);
        this.productSaves++;
        try {
          return await super.save(key, value, options);
        } catch (err) {
          // The fake refuses etag "0" on a missing key (createIfAbsent then writes plainly): not a race between writers.
          if (err instanceof StateConflictError && options?.etag !== '0') this.conflicts++;
          throw err;
        }
      }
    }
    const store = new CountingStore();
    const { model, learner: l } = learner(store);
    const at = '2026-01-01T00:00:00.000Z';
    const views = Array.from({ length: 40 }, (_, i) => l.productViewed({ product_id: 'prd_00000a', occurred_at: at }, `v-${i % 30}`));
    const outcomes = await Promise.all(views);
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(30);
    expect(await doc(store, 'prd_00000a')).toMatchObject({ views: 30, version: 30 });
    expect(model.stats('prd_00000a')?.views).toBe(30);
    expect(store.productSaves).toBeLessThan(10);
    expect(store.conflicts).toBe(0);
    // A redelivery later is still recognised by the document's ring.
    expect(await l.productViewed({ product_id: 'prd_00000a', occurred_at: at }, 'v-3')).toBe('duplicate');
  });
});
