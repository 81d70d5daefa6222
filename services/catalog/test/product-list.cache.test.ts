import { describe, expect, it } from 'vitest';
import type { ProductListQuery } from '@globalmart/contracts';
import { createLogger, loadConfig, type StateStore } from '@globalmart/platform';
import { createMemoryDapr } from '@globalmart/platform/testing';
import { cachedProductList } from '../src/product-list.cache.ts';
import type { ProductPage, ProductRepository } from '../src/product.repository.ts';

const logger = createLogger(loadConfig({}, { APP_ID: 'catalog', APP_PORT: '0', LOG_LEVEL: 'silent' }));
const q: ProductListQuery = { page: 1, page_size: 20 };

function countingRepo(): ProductRepository & { calls: number } {
  const repo = {
    calls: 0,
    async list(): Promise<ProductPage> {
      repo.calls++;
      return { data: [], total: repo.calls };
    },
    get: async () => undefined,
    create: async () => {
      throw new Error('not used');
    },
    replace: async () => undefined,
    count: async () => 0,
    seed: async () => 0,
  };
  return repo;
}

describe('product list cache-aside', () => {
  it('serves the second identical query from the state store, with the TTL set', async () => {
    const repo = countingRepo();
    const state = createMemoryDapr().state('statestore');
    const saves: (number | undefined)[] = [];
    const spy: StateStore = {
      ...state,
      storeName: state.storeName,
      get: (k) => state.get(k),
      delete: (k, o) => state.delete(k, o),
      save: (k, v, o) => (saves.push(o?.ttlInSeconds), state.save(k, v, o)),
    };
    const cache = cachedProductList(repo, spy, 60, logger);
    expect((await cache.list(q)).cache).toBe('miss');
    await new Promise((r) => setImmediate(r)); // the write-behind save
    const second = await cache.list(q);
    expect(second.cache).toBe('hit');
    expect(second.page.total).toBe(1);
    expect(repo.calls).toBe(1);
    expect(saves).toContain(60);
  });

  it('keys on every query field, and invalidate() makes every cached page unreachable', async () => {
    const repo = countingRepo();
    const cache = cachedProductList(repo, createMemoryDapr().state('statestore'), 60, logger);
    await cache.list(q);
    await new Promise((r) => setImmediate(r));
    expect((await cache.list({ ...q, category: 'books' })).cache).toBe('miss');
    expect((await cache.list({ ...q, q: 'kettle' })).cache).toBe('miss');
    await cache.invalidate();
    expect((await cache.list(q)).cache).toBe('miss');
  });

  it('lets concurrent misses for one page share one database query', async () => {
    const repo = countingRepo();
    const cache = cachedProductList(repo, createMemoryDapr().state('statestore'), 60, logger);
    const results = await Promise.all(Array.from({ length: 10 }, () => cache.list(q)));
    expect(repo.calls).toBe(1);
    expect(results.every((r) => r.cache === 'miss' && r.page.total === 1)).toBe(true);
  });

  it('falls back to the database when the state store fails', async () => {
    const repo = countingRepo();
    const broken: StateStore = {
      storeName: 'statestore',
      get: async () => {
        throw new Error('sidecar down');
      },
      save: async () => {},
      delete: async () => {},
    };
    const res = await cachedProductList(repo, broken, 60, logger).list(q);
    expect(res.cache).toBe('bypass');
    expect(repo.calls).toBe(1);
  });

  it('answers repeated reads from process memory: no state-store round trip per request', async () => {
    const repo = countingRepo();
    const state = createMemoryDapr().state('statestore');
    let gets = 0;
    const counting: StateStore = {
      ...state,
      storeName: state.storeName,
      get: (k) => (gets++, state.get(k)),
      save: (k, v, o) => state.save(k, v, o),
      delete: (k, o) => state.delete(k, o),
    };
    const cache = cachedProductList(repo, counting, 60, logger);
    const first = await cache.list(q);
    await new Promise((r) => setImmediate(r));
    const before = gets;
    const hits = await Promise.all(Array.from({ length: 50 }, () => cache.list(q)));
    expect(hits.every((h) => h.cache === 'hit' && h.page === first.page)).toBe(true);
    expect(gets - before).toBe(0);
    expect(repo.calls).toBe(1);
  });

  it("sees another replica's invalidation once it reads the generation again (generationCheckMs)", async () => {
    const repo = countingRepo();
    let t = 1_000_000;
    const now = () => t;
    const dapr = createMemoryDapr(now);
    const a = cachedProductList(repo, dapr.state('statestore'), 60, logger, { now, generationCheckMs: 1_000 });
    const b = cachedProductList(repo, dapr.state('statestore'), 60, logger, { now, generationCheckMs: 1_000 });
    await a.list(q);
    await new Promise((r) => setImmediate(r));
    expect((await a.list(q)).cache).toBe('hit');
    t += 1;
    await b.invalidate();
    // b's own reads change at once; a trusts the generation it read for up to a second.
    expect((await b.list(q)).cache).toBe('miss');
    expect((await a.list(q)).cache).toBe('hit');
    t += 1_000;
    const after = await a.list(q);
    expect(after.page.total).toBe(2);
  });

  it('keeps products in memory too, and never caches an unknown id', async () => {
    let reads = 0;
    const product = {
      id: 'prd_000001',
      name: 'Kettle',
      description: 'Boils.',
      price: 10,
      currency: 'USD',
      category: 'kitchen',
      image_url: 'https://images.globalmart.example/k.jpg',
      tags: [],
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    };
    const repo = { ...countingRepo(), get: async (id: string) => (reads++, id === product.id ? product : undefined) };
    const cache = cachedProductList(repo, createMemoryDapr().state('statestore'), 60, logger);
    expect((await cache.get(product.id)).cache).toBe('miss');
    expect((await cache.get(product.id)).cache).toBe('hit');
    expect((await cache.get('prd_000002')).product).toBeUndefined();
    expect((await cache.get('prd_000002')).cache).toBe('miss');
    expect(reads).toBe(3);
  });
});
