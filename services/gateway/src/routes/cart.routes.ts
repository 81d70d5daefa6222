import { CartItemAdd, CartItemPatch, ProductIdParams, type Cart } from '@globalmart/contracts';
import { parseBody, parseParams, type ServiceInvoker } from '@globalmart/platform';
import { Router, type Response } from 'express';
import type { GatewayAuth } from './gateway-auth.ts';
import { idempotencyHeaders } from './idempotency.ts';

/**
 * The signed-in customer's cart (/api/cart), answered by the cart service through Dapr. Every change carries an
 * Idempotency-Key (the client's or one minted here): Dapr retries calls to the cart, and an add retried after a
 * timeout must not add twice.
 */
export function cartRoutes(invoker: ServiceInvoker, auth: GatewayAuth): Router {
  const router = Router();
  const cartPath = (res: Response) => `carts/${encodeURIComponent(auth.forwardHeaders(res)['x-user-id'] ?? '')}`;

  router.get('/api/cart', auth.requireCustomer, async (_req, res) => {
    const { body } = await invoker.invoke<Cart>('cart', cartPath(res), { headers: auth.forwardHeaders(res) });
    res.json(body);
  });

  router.post('/api/cart/items', auth.requireCustomer, async (req, res) => {
    const body = parseBody(CartItemAdd, req);
    const cart = await invoker.invoke<Cart>('cart', `${cartPath(res)}/items`, {
      httpMethod: 'POST',
      body,
      headers: { ...auth.forwardHeaders(res), ...idempotencyHeaders(req) },
    });
    res.json(cart.body);
  });

  router.patch('/api/cart/items/:id', auth.requireCustomer, async (req, res) => {
    const { id } = parseParams(ProductIdParams, req);
    const body = parseBody(CartItemPatch, req);
    const cart = await invoker.invoke<Cart>('cart', `${cartPath(res)}/items/${id}`, {
      httpMethod: 'PATCH',
      body,
      headers: { ...auth.forwardHeaders(res), ...idempotencyHeaders(req) },
    });
    res.json(cart.body);
  });

  router.delete('/api/cart/items/:id', auth.requireCustomer, async (req, res) => {
    const { id } = parseParams(ProductIdParams, req);
    const cart = await invoker.invoke<Cart>('cart', `${cartPath(res)}/items/${id}`, {
      httpMethod: 'DELETE',
      headers: { ...auth.forwardHeaders(res), ...idempotencyHeaders(req) },
    });
    res.json(cart.body);
  });

  return router;
}
