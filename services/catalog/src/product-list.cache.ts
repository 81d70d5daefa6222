import { createHash } from 'node:crypto';
import { Product, type ProductListQuery } from '@globalmart/contracts';
import type { Logger, StateStore } from '@globalmart/platform';
import type { ProductPage, ProductRepository } from './product.repository.ts';

export type CacheOutcome = 'hit' | 'miss' | 'bypass';

export interface CachedProductList {
  list(query: ProductListQuery): Promise<{ page: ProductPage; cache: CacheOutcome }>;
  get(id: string): Promise<{ product: Product | undefined; cache: CacheOutcome }>;
  /** Every cached page becomes unreachable at once (a product changed). */
  invalidate(): Promise<void>;
}

const GENERATION_KEY = 'products:generation';

/**
 * Cache-aside for product pages in the Dapr state store (Redis locally), with a TTL. The MongoDB-wire
 * store answers a sorted page in tens of ms (FerretDB sorts outside SQLite); a cached page costs one
 * sidecar round trip. Keys carry a generation number, so invalidation is one write, not a key scan.
 * The cache is an optimisation: when the state store fails, reads go to the database and say so.
 */
export function cachedProductList(repo: ProductRepository, state: StateStore, ttlInSeconds: number, logger: Logger): CachedProductList {
  const keyFor = (generation: string, q: ProductListQuery) =>
    `products:list:${generation}:${createHash('sha256')
      .update(JSON.stringify([q.page, q.page_size, q.category ?? null, q.q ?? null, q.ids ?? null]))
      .digest('hex')
      .slice(0, 32)}`;

  // Single flight: concurrent misses for one page share one database query (no stampede when a page expires).
  const loading = new Map<string, Promise<ProductPage>>();
  const load = (key: string, query: ProductListQuery): Promise<ProductPage> => {
    let pending = loading.get(key);
    if (!pending) {
      pending = repo.list(query).finally(() => loading.delete(key));
      loading.set(key, pending);
      pending
        .then((page) => state.save(key, page, { ttlInSeconds }))
        .catch((err: unknown) => logger.warn({ err }, 'product cache write failed'));
    }
    return pending;
  };

  return {
    async list(query) {
      let key: string | undefined;
      try {
        const generation = (await state.get<string>(GENERATION_KEY))?.value ?? '0';
        key = keyFor(generation, query);
        const cached = await state.get<ProductPage>(key);
        // Parsed, not trusted: the schema also restores field order, which the store does not keep (stable ETags).
        if (cached) return { page: { data: cached.value.data.map((p) => Product.parse(p)), total: cached.value.total }, cache: 'hit' };
      } catch (err) {
        logger.warn({ err }, 'product cache unavailable: reading the database');
        return { page: await repo.list(query), cache: 'bypass' };
      }
      return { page: await load(key, query), cache: 'miss' };
    },
    async get(id) {
      let key: string | undefined;
      try {
        const generation = (await state.get<string>(GENERATION_KEY))?.value ?? '0';
        key = `products:item:${generation}:${id}`;
        const cached = await state.get<Product>(key);
        if (cached) return { product: Product.parse(cached.value), cache: 'hit' };
      } catch (err) {
        logger.warn({ err }, 'product cache unavailable: reading the database');
        return { product: await repo.get(id), cache: 'bypass' };
      }
      const product = await repo.get(id);
      // Unknown ids are not cached: a product created a moment later must show at once.
      if (product) state.save(key, product, { ttlInSeconds }).catch((err: unknown) => logger.warn({ err }, 'product cache write failed'));
      return { product, cache: 'miss' };
    },
    async invalidate() {
      await state.save(GENERATION_KEY, `${Date.now()}`);
    },
  };
}
