import {
  ProductCreate,
  ProductIdParams,
  ProductListQuery,
  ProductReplace,
  StockPatch,
  type Product,
  type ProductDetail,
  type ProductListResponse,
} from '@globalmart/contracts';
import { parseBody, parseParams, parseQuery, type Logger, type ServiceInvoker } from '@globalmart/platform';
import { Router } from 'express';
import type { GatewayAuth } from './gateway-auth.ts';

interface Stock {
  product_id: string;
  stock_qty: number;
}

/** Browse and product pages (anyone), product and stock administration (admins), all answered through Dapr. */
export function productsRoutes(invoker: ServiceInvoker, auth: GatewayAuth, logger: Logger, stockBudgetMs = 300): Router {
  const router = Router();

  router.get('/api/products', async (req, res) => {
    const query = parseQuery(ProductListQuery, req);
    const { body } = await invoker.invoke<ProductListResponse>('catalog', 'products', { query });
    res.json(body);
  });

  // The product is essential; live stock is not: past its budget the page answers without it, flagged.
  router.get('/api/products/:id', async (req, res) => {
    const { id } = parseParams(ProductIdParams, req);
    const [product, stock] = await Promise.allSettled([
      invoker.invoke<Product>('catalog', `products/${id}`),
      invoker.invoke<Stock>('inventory', `stock/${id}`, { timeoutMs: stockBudgetMs }),
    ]);
    if (product.status === 'rejected') throw product.reason;
    const degraded: string[] = [];
    if (stock.status === 'rejected') {
      degraded.push('inventory');
      logger.warn({ err: stock.reason, product_id: id }, 'product page without stock');
    }
    const body: ProductDetail = {
      ...product.value.body,
      stock_qty: stock.status === 'fulfilled' ? stock.value.body.stock_qty : null,
      degraded,
    };
    res.json(body);
  });

  router.post('/api/admin/products', auth.requireAdmin, async (req, res) => {
    const body = parseBody(ProductCreate, req);
    const created = await invoker.invoke<Product>('catalog', 'products', { httpMethod: 'POST', body, headers: auth.forwardHeaders(res) });
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
    const detail: ProductDetail = { ...product.body, stock_qty: stock.body.stock_qty, degraded: [] };
    res.json(detail);
  });

  return router;
}
