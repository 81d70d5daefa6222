import { createHash } from 'node:crypto';
import { Product, type ProductListQuery } from '@globalmart/contracts';
import type { Logger, StateStore } from '@globalmart/platform';
import type { ProductPage, ProductRepository } from './product.repository.ts';

export type CacheOutcome = 'hit' | 'miss' | 'bypass';

export interface CachedProductList {
  /** `page` is the same object for every hit on one cached entry (routes may memoise its serialisation on it). */
  list(query: ProductListQuery): Promise<{ page: ProductPage; cache: CacheOutcome }>;
  get(id: string): Promise<{ product: Product | undefined; cache: CacheOutcome }>;
  /** Every cached page becomes unreachable at once (a product changed). */
  invalidate(): Promise<void>;
}

export interface CacheOptions {
  /** How long this process trusts the generation it last read before reading it again (other replicas' edits). */
  generationCheckMs?: number;
  /** Entries kept in process memory (oldest dropped first). */
  maxLocalEntries?: number;
  now?: () => number;
}

const GENERATION_KEY = 'products:generation';

interface LocalEntry {
  generation: string;
  expiresAt: number;
  value: ProductPage | Product;
}

/**
 * Two tiers of cache-aside for product pages and products. First this process's memory, then the Dapr state store
 * (Redis locally), shared by every replica, with a TTL; then the database. The MongoDB-wire store answers a sorted
 * page in tens of ms; a state-store hit costs a sidecar round trip; a memory hit costs nothing, which is what lets a
 * page be served at the sidecars' own rate (bench/browse.bench.ts). Keys carry a generation number, so invalidation is
 * one write, not a key scan: this process takes a new generation at once, other replicas within `generationCheckMs`
 * (each reads the generation at most that often, not once per request). The cache is an optimisation: when the state
 * store fails, reads go to the database and say so.
 */
export function cachedProductList(
  repo: ProductRepository,
  state: StateStore,
  ttlInSeconds: number,
  logger: Logger,
  { generationCheckMs = 1_000, maxLocalEntries = 2_000, now = Date.now }: CacheOptions = {},
): CachedProductList {
  const listKey = (q: ProductListQuery) =>
    `products:list:${createHash('sha256')
      .update(JSON.stringify([q.page, q.page_size, q.category ?? null, q.q ?? null, q.ids ?? null]))
      .digest('hex')
      .slice(0, 32)}`;
  const stateKey = (generation: string, key: string) => key.replace(/^products:(list|item):/, `products:$1:${generation}:`);

  // The generation this process trusts, and since when; concurrent requests share one read of it.
  let known: { generation: string; readAt: number } | undefined;
  let reading: Promise<string> | undefined;
  // Bumped by invalidate(): a read that started before it must not bring the old generation back.
  let invalidations = 0;
  const generation = (): Promise<string> => {
    if (known && now() - known.readAt < generationCheckMs) return Promise.resolve(known.generation);
    const startedAt = invalidations;
    reading ??= state
      .get<string>(GENERATION_KEY)
      .then((entry) => {
        if (startedAt !== invalidations && known) return known.generation;
        known = { generation: entry?.value ?? '0', readAt: now() };
        return known.generation;
      })
      .finally(() => (reading = undefined));
    return reading;
  };

  const local = new Map<string, LocalEntry>();
  const fromMemory = (key: string, gen: string) => {
    const entry = local.get(key);
    return entry && entry.generation === gen && entry.expiresAt > now() ? entry.value : undefined;
  };
  const remember = (key: string, gen: string, value: ProductPage | Product) => {
    if (gen !== known?.generation) return; // filled under a generation that has since been replaced
    local.delete(key); // re-insert: Map order is the eviction order
    local.set(key, { generation: gen, expiresAt: now() + ttlInSeconds * 1000, value });
    if (local.size > maxLocalEntries) local.delete(local.keys().next().value!);
  };

  // Single flight: concurrent misses for one page share one database query (no stampede when a page expires).
  const loading = new Map<string, Promise<ProductPage>>();
  const load = (key: string, gen: string, query: ProductListQuery): Promise<ProductPage> => {
    const flight = `${gen}:${key}`;
    let pending = loading.get(flight);
    if (!pending) {
      pending = repo.list(query).finally(() => loading.delete(flight));
      loading.set(flight, pending);
      pending
        .then((page) => {
          remember(key, gen, page);
          return state.save(stateKey(gen, key), page, { ttlInSeconds });
        })
        .catch((err: unknown) => logger.warn({ err }, 'product cache write failed'));
    }
    return pending;
  };

  return {
    async list(query) {
      const key = listKey(query);
      let gen: string;
      try {
        gen = await generation();
        const inMemory = fromMemory(key, gen) as ProductPage | undefined;
        if (inMemory) return { page: inMemory, cache: 'hit' };
        const cached = await state.get<ProductPage>(stateKey(gen, key));
        if (cached) {
          // Parsed, not trusted: the schema also restores field order, which the store does not keep (stable ETags).
          const page = { data: cached.value.data.map((p) => Product.parse(p)), total: cached.value.total };
          remember(key, gen, page);
          return { page, cache: 'hit' };
        }
      } catch (err) {
        logger.warn({ err }, 'product cache unavailable: reading the database');
        return { page: await repo.list(query), cache: 'bypass' };
      }
      return { page: await load(key, gen, query), cache: 'miss' };
    },
    async get(id) {
      const key = `products:item:${id}`;
      let gen: string;
      try {
        gen = await generation();
        const inMemory = fromMemory(key, gen) as Product | undefined;
        if (inMemory) return { product: inMemory, cache: 'hit' };
        const cached = await state.get<Product>(stateKey(gen, key));
        if (cached) {
          const product = Product.parse(cached.value);
          remember(key, gen, product);
          return { product, cache: 'hit' };
        }
      } catch (err) {
        logger.warn({ err }, 'product cache unavailable: reading the database');
        return { product: await repo.get(id), cache: 'bypass' };
      }
      const product = await repo.get(id);
      // Unknown ids are not cached: a product created a moment later must show at once.
      if (product) {
        remember(key, gen, product);
        state
          .save(stateKey(gen, key), product, { ttlInSeconds })
          .catch((err: unknown) => logger.warn({ err }, 'product cache write failed'));
      }
      return { product, cache: 'miss' };
    },
    async invalidate() {
      const next = `${now()}`;
      await state.save(GENERATION_KEY, next);
      invalidations++;
      known = { generation: next, readAt: now() };
    },
  };
}
