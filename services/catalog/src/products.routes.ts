import { ProductId, ProductListQuery, type ProductListResponse } from '@globalmart/contracts';
import { z } from 'zod';
import { notFound, parseParams, parseQuery } from '@globalmart/platform';

const IdParams = z.object({ id: ProductId });
import { Router } from 'express';
import type { CachedProductList } from './product-list.cache.ts';

/** GET /products?page=&page_size=&category=&q= (the seed shape {data, page, page_size, total}) and GET /products/{id}. */
export function productsRoutes(products: CachedProductList): Router {
  const router = Router();
  router.get('/products', async (req, res) => {
    const query = parseQuery(ProductListQuery, req);
    const { page, cache } = await products.list(query);
    const body: ProductListResponse = { data: page.data, page: query.page, page_size: query.page_size, total: page.total };
    res.set('x-cache', cache).json(body);
  });
  router.get('/products/:id', async (req, res) => {
    const { id } = parseParams(IdParams, req);
    const { product, cache } = await products.get(id);
    if (!product) throw notFound('CATALOG.PRODUCT_NOT_FOUND', `No product ${id}.`);
    // Express adds a weak ETag and answers If-None-Match with 304.
    res.set('x-cache', cache).json(product);
  });
  return router;
}
