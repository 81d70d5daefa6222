import { ProductId, ProductListQuery, type Product, type ProductListResponse } from '@globalmart/contracts';
import { z } from 'zod';
import { notFound, parseParams, parseQuery } from '@globalmart/platform';
import { Router, type Request, type Response } from 'express';
import type { CachedProductList } from './product-list.cache.ts';
import type { ProductPage } from './product.repository.ts';

const IdParams = z.object({ id: ProductId });

interface Serialised {
  body: Buffer;
  etag: string;
}

/**
 * The JSON text of a cached page or product and its ETag, made once per cache entry: the cache hands out the same
 * object on every hit, so a hit costs neither JSON.stringify nor the ETag's hash. The ETag is the one Express would
 * compute (its `etag fn`), so conditional requests answer 304 exactly as with res.json.
 */
const serialised = new WeakMap<ProductPage | Product, Serialised>();
function send(req: Request, res: Response, source: ProductPage | Product, toBody: () => unknown): void {
  let entry = serialised.get(source);
  if (!entry) {
    const body = Buffer.from(JSON.stringify(toBody()));
    const etagOf = req.app.get('etag fn') as ((body: Buffer, encoding: string) => string) | undefined;
    entry = { body, etag: etagOf?.(body, 'utf8') ?? '' };
    serialised.set(source, entry);
  }
  if (entry.etag) res.set('etag', entry.etag);
  // Express answers 304 itself when the request's If-None-Match matches the ETag set here.
  res.type('application/json').send(entry.body);
}

/** GET /products?page=&page_size=&category=&q= (the seed shape {data, page, page_size, total}) and GET /products/{id}. */
export function productsRoutes(products: CachedProductList): Router {
  const router = Router();
  router.get('/products', async (req, res) => {
    const query = parseQuery(ProductListQuery, req);
    const { page, cache } = await products.list(query);
    res.set('x-cache', cache);
    // One cached page answers one query, so the page number and size are the query's whichever request made it.
    send(req, res, page, (): ProductListResponse => ({ data: page.data, page: query.page, page_size: query.page_size, total: page.total }));
  });
  router.get('/products/:id', async (req, res) => {
    const { id } = parseParams(IdParams, req);
    const { product, cache } = await products.get(id);
    if (!product) throw notFound('CATALOG.PRODUCT_NOT_FOUND', `No product ${id}.`);
    // A weak ETag; If-None-Match answers 304.
    res.set('x-cache', cache);
    send(req, res, product, () => product);
  });
  return router;
}
