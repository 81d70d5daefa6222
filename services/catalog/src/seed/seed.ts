import type { Logger } from '@globalmart/platform';
import type { CachedProductList } from '../product-list.cache.ts';
import type { ProductRepository } from '../product.repository.ts';
import { demoCatalog } from './demo-catalog.ts';

/** Inserts whatever part of the demo catalog is missing; idempotent, safe for replicas starting together. */
export async function seedDemoCatalog(repo: ProductRepository, cache: CachedProductList, logger: Logger): Promise<void> {
  const products = demoCatalog();
  if ((await repo.count()) >= products.length) return;
  const inserted = await repo.seed(products);
  logger.info({ inserted, total: products.length }, 'demo catalog seeded');
  // Pages cached before this seed (a wiped database, a kept Redis) must not outlive it.
  if (inserted > 0) await cache.invalidate().catch((err: unknown) => logger.warn({ err }, 'could not invalidate the product cache'));
}
