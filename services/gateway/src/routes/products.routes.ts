import {
  eventTypes,
  ProductCreate,
  ProductIdParams,
  ProductListQuery,
  ProductReplace,
  RecommendationsResponse,
  StockListQuery,
  StockPatch,
  type PublicStockList,
  type StockLevelList,
  type Product,
  type ProductDetail,
  type ProductListResponse,
  type ProductViewed,
} from '@globalmart/contracts';
import { randomUUID } from 'node:crypto';
import {
  jsonBytes,
  parseBody,
  parseParams,
  parseQuery,
  USER_ID_HEADER,
  type EventPublisher,
  type Logger,
  type ServiceInvoker,
} from '@globalmart/platform';
import { Router } from 'express';
import type { GatewayAuth } from './gateway-auth.ts';
import { idempotencyHeaders } from './idempotency.ts';

interface Stock {
  product_id: string;
  stock_qty: number;
}

export interface ProductPageOptions {
  invoker: ServiceInvoker;
  publisher: EventPublisher;
  auth: GatewayAuth;
  logger: Logger;
  /** How long the page waits for live stock before answering without it (flagged `inventory`). */
  stockBudgetMs?: number;
  /** How long the page waits for recommendations before answering without them (flagged `recommendations`). */
  recommendationsBudgetMs?: number;
  recommendationsLimit?: number;
}

/** Browse and product pages (anyone), product and stock administration (admins), all answered through Dapr. */
export function productsRoutes({
  invoker,
  publisher,
  auth,
  logger,
  stockBudgetMs = 300,
  recommendationsBudgetMs = 250,
  recommendationsLimit = 6,
}: ProductPageOptions): Router {
  const router = Router();

  // Fire and forget: the view feeds recommendations and analytics, it never slows or fails the page.
  const viewed = (productId: string, userId: string | undefined) => {
    const data: ProductViewed = { product_id: productId, ...(userId ? { user_id: userId } : {}), occurred_at: new Date().toISOString() };
    publisher.publish('catalog', eventTypes.ProductViewed, data, { id: randomUUID() }).catch((err: unknown) => {
      logger.warn({ err, product_id: productId }, 'ProductViewed not published');
    });
  };

  router.get('/api/products', async (req, res) => {
    const { ids, ...rest } = parseQuery(ProductListQuery, req);
    // A batch (?ids=) goes on as the one comma-separated parameter catalog reads.
    const query = { ...rest, ids: ids?.join(',') };
    const answer = await invoker.invoke<ProductListResponse>('catalog', 'products', { query });
    // Catalog's JSON passed on as it came (it is the contract's shape already): no parse here, no stringify again.
    const bytes = jsonBytes(answer);
    if (bytes) res.type('application/json').send(bytes);
    else res.json(answer.body);
  });

  // Stock badges for a page of cards: inventory's batch read, without what reservations hold.
  router.get('/api/stock', async (req, res) => {
    const { ids } = parseQuery(StockListQuery, req);
    const { body } = await invoker.invoke<StockLevelList>('inventory', 'stock', { query: { ids: ids.join(',') } });
    const levels: PublicStockList = { data: body.data.map(({ product_id, stock_qty }) => ({ product_id, stock_qty })) };
    res.set('cache-control', 'no-store').json(levels);
  });

  // The product is essential; live stock and recommendations are not: each has its own budget, and past it (or when
  // its service is down) the page answers without that part, flagged in `degraded`. All three are fetched in parallel.
  router.get('/api/products/:id', async (req, res) => {
    const { id } = parseParams(ProductIdParams, req);
    const userId = auth.forwardHeaders(res)[USER_ID_HEADER];
    const [product, stock, recommended] = await Promise.allSettled([
      invoker.invoke<Product>('catalog', `products/${id}`),
      invoker.invoke<Stock>('inventory', `stock/${id}`, { timeoutMs: stockBudgetMs }),
      invoker.invoke<unknown>('recommendations', 'recommendations', {
        query: { product_id: id, user_id: userId, limit: recommendationsLimit },
        timeoutMs: recommendationsBudgetMs,
      }),
    ]);
    if (product.status === 'rejected') throw product.reason;
    const degraded: string[] = [];
    if (stock.status === 'rejected') {
      degraded.push('inventory');
      logger.warn({ err: stock.reason, product_id: id }, 'product page without stock');
    }
    // The engine may be a twin in another language: an answer outside the contract counts as no answer.
    const recommendations = recommended.status === 'fulfilled' ? RecommendationsResponse.safeParse(recommended.value.body) : undefined;
    if (!recommendations?.success) {
      degraded.push('recommendations');
      const err = recommended.status === 'rejected' ? recommended.reason : recommendations?.error;
      logger.warn({ err, product_id: id }, 'product page without recommendations');
    }
    const body: ProductDetail = {
      ...product.value.body,
      stock_qty: stock.status === 'fulfilled' ? stock.value.body.stock_qty : null,
      recommendations: recommendations?.success ? recommendations.data.items.map(({ product_id, reason }) => ({ product_id, reason })) : [],
      degraded,
    };
    viewed(id, userId);
    res.json(body);
  });

  router.post('/api/admin/products', auth.requireAdmin, async (req, res) => {
    const body = parseBody(ProductCreate, req);
    // With an Idempotency-Key (the client's or minted here): Dapr's retry of a create that timed out finds the product.
    const headers = { ...auth.forwardHeaders(res), ...idempotencyHeaders(req) };
    const created = await invoker.invoke<Product>('catalog', 'products', { httpMethod: 'POST', body, headers });
    res.status(201).location(`/api/products/${created.body.id}`).json(created.body);
  });

  router.put('/api/admin/products/:id', auth.requireAdmin, async (req, res) => {
    const { id } = parseParams(ProductIdParams, req);
    const body = parseBody(ProductReplace, req);
    const updated = await invoker.invoke<Product>('catalog', `products/${id}`, {
      httpMethod: 'PUT',
      body,
      headers: auth.forwardHeaders(res),
    });
    res.json(updated.body);
  });

  // Seed 004: PATCH /admin/products/{id} {"stock_qty"}. Stock is inventory's; the product must exist in catalog.
  router.patch('/api/admin/products/:id', auth.requireAdmin, async (req, res) => {
    const { id } = parseParams(ProductIdParams, req);
    const body = parseBody(StockPatch, req);
    const product = await invoker.invoke<Product>('catalog', `products/${id}`);
    const stock = await invoker.invoke<Stock>('inventory', `stock/${id}`, { httpMethod: 'PUT', body, headers: auth.forwardHeaders(res) });
    const detail: ProductDetail = { ...product.body, stock_qty: stock.body.stock_qty, recommendations: [], degraded: [] };
    res.json(detail);
  });

  return router;
}
