import { ProductListQuery, type ProductListResponse } from '@globalmart/contracts';
import { parseQuery } from '@globalmart/platform';
import { Router } from 'express';
import type { CachedProductList } from './product-list.cache.ts';

/** GET /products?page=&page_size=&category=&q= — the seed shape {data, page, page_size, total}. */
export function productsRoutes(products: CachedProductList): Router {
  const router = Router();
  router.get('/products', async (req, res) => {
    const query = parseQuery(ProductListQuery, req);
    const { page, cache } = await products.list(query);
    const body: ProductListResponse = { data: page.data, page: query.page, page_size: query.page_size, total: page.total };
    res.set('x-cache', cache).json(body);
  });
  return router;
}
