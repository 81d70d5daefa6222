import {
  IDEMPOTENCY_KEY_HEADER,
  IdempotencyKey,
  ProductCreate,
  ProductId,
  ProductReplace,
  eventTypes,
  topics,
  type Product,
  type ProductUpdated,
} from '@globalmart/contracts';
import { notFound, parseBody, parseParams, requireAdmin, unprocessable, type EventPublisher, type Logger } from '@globalmart/platform';
import { Router } from 'express';
import { z } from 'zod';
import { createOnce, isOtherRequest, productIdForKey } from './product-create.idempotency.ts';
import type { CachedProductList } from './product-list.cache.ts';
import type { ProductRepository } from './product.repository.ts';
import { changedFields, newProductId } from './product.rules.ts';

const IdParams = z.object({ id: ProductId });
const KeyHeader = z.object({ [IDEMPOTENCY_KEY_HEADER]: IdempotencyKey.optional() });

/**
 * Admin create (POST /products) and full replace (PUT /products/{id}); the role is re-checked here. Dapr retries calls
 * to catalog, so a create with an Idempotency-Key (the gateway sends one per request) makes its product once: the key
 * names the product, and a repeat answers 201 with it. A replace is safe to repeat as it is (the same body, the same
 * product).
 */
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
    const caller = requireAdmin(req);
    const key = KeyHeader.parse({ [IDEMPOTENCY_KEY_HEADER]: req.get(IDEMPOTENCY_KEY_HEADER) })[IDEMPOTENCY_KEY_HEADER];
    const body = parseBody(ProductCreate, req);
    const { product, created } = key
      ? await createOnce(repo, productIdForKey(caller.userId, key), body)
      : { product: await repo.create(newProductId(), body), created: true };
    if (!created && isOtherRequest(product, body)) {
      throw unprocessable('CATALOG.IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key already created another product.', {
        field: IDEMPOTENCY_KEY_HEADER,
        product_id: product.id,
      });
    }
    // A repeat announces again, with the same event id (consumers drop the copy): an attempt that stopped between the
    // insert and the publish is healed by its retry.
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
