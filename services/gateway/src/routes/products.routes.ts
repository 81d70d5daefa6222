import { ProductListQuery, type ProductListResponse } from '@globalmart/contracts';
import { parseQuery, type ServiceInvoker } from '@globalmart/platform';
import { Router } from 'express';

/** The public browse API: validated at the edge, answered by catalog through Dapr service invocation. */
export function productsRoutes(invoker: ServiceInvoker): Router {
  const router = Router();
  router.get('/api/products', async (req, res) => {
    const query = parseQuery(ProductListQuery, req);
    const { body } = await invoker.invoke<ProductListResponse>('catalog', 'products', { query });
    res.json(body);
  });
  return router;
}
