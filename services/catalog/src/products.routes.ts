import { ProductListQuery, type ProductListResponse } from '@globalmart/contracts';
import { parseQuery } from '@globalmart/platform';
import { Router } from 'express';
import type { ProductRepository } from './product.repository.ts';

/** GET /products?page=&page_size=&category=&q= — the seed shape {data, page, page_size, total}. */
export function productsRoutes(repo: ProductRepository): Router {
  const router = Router();
  router.get('/products', async (req, res) => {
    const query = parseQuery(ProductListQuery, req);
    const { data, total } = await repo.list(query);
    const body: ProductListResponse = { data, page: query.page, page_size: query.page_size, total };
    res.json(body);
  });
  return router;
}
