import { ProductCreate, ProductId, ProductReplace, eventTypes, topics, type Product, type ProductUpdated } from '@globalmart/contracts';
import { notFound, parseBody, parseParams, requireAdmin, type EventPublisher, type Logger } from '@globalmart/platform';
import { Router } from 'express';
import { z } from 'zod';
import type { CachedProductList } from './product-list.cache.ts';
import type { ProductRepository } from './product.repository.ts';
import { changedFields, newProductId } from './product.rules.ts';

const IdParams = z.object({ id: ProductId });

/** Admin create (POST /products) and full replace (PUT /products/{id}); the role is re-checked here. */
export function adminProductsRoutes(repo: ProductRepository, cache: CachedProductList, publisher: EventPublisher, logger: Logger): Router {
  const router = Router();

  const announce = async (before: Product | undefined, after: Product) => {
    await cache.invalidate();
    const data: ProductUpdated = {
      product_id: after.id,
      price: after.price,
      currency: after.currency,
      category: after.category,
      changed_fields: changedFields(before, after),
      occurred_at: after.updated_at ?? new Date().toISOString(),
    };
    // Event id = product + its update time, so a redelivered copy is recognisably the same change.
    await publisher
      .publish(topics.catalog, eventTypes.ProductUpdated, data, { id: `${after.id}:${data.occurred_at}` })
      .catch((err: unknown) => logger.error({ err, product_id: after.id }, 'ProductUpdated not published'));
  };

  router.post('/products', async (req, res) => {
    requireAdmin(req);
    const body = parseBody(ProductCreate, req);
    const product = await repo.create(newProductId(), body);
    await announce(undefined, product);
    res.status(201).location(`/products/${product.id}`).json(product);
  });

  router.put('/products/:id', async (req, res) => {
    requireAdmin(req);
    const { id } = parseParams(IdParams, req);
    const body = parseBody(ProductReplace, req);
    const result = await repo.replace(id, body);
    if (!result) throw notFound('CATALOG.PRODUCT_NOT_FOUND', `No product ${id}.`);
    await announce(result.before, result.after);
    res.json(result.after);
  });

  return router;
}
