import {
  CartItemAdd,
  CartItemParams,
  CartItemPatch,
  CartParams,
  cartErrorCodes,
  IDEMPOTENCY_KEY_HEADER,
  IdempotencyKey,
  type Cart,
} from '@globalmart/contracts';
import { canRead, isServiceCall, notFound, parseBody, parseParams, requireUser } from '@globalmart/platform';
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { CartService } from './cart.service.ts';

/**
 * The cart's owner or an admin; anyone else is told there is no such cart (ids cannot be probed). A service the access
 * table lets in (orders reading the cart it checks out) acts as itself, for any cart.
 */
function ownerOf<S extends z.ZodType<{ user_id: string }>>(schema: S, req: Request): z.output<S> {
  if (isServiceCall(req)) return parseParams(schema, req);
  const caller = requireUser(req);
  const params = parseParams(schema, req);
  if (!canRead(caller, params.user_id)) throw notFound(cartErrorCodes.NotFound, 'No such cart.');
  return params;
}

const KeyHeader = z.object({ [IDEMPOTENCY_KEY_HEADER]: IdempotencyKey.optional() });
/** The request's Idempotency-Key (the gateway sends one with every change; 400 naming the header when malformed). */
const keyOf = (req: Request) => KeyHeader.parse({ [IDEMPOTENCY_KEY_HEADER]: req.get(IDEMPOTENCY_KEY_HEADER) })[IDEMPOTENCY_KEY_HEADER];

/** GET/DELETE /carts/{user_id}, POST /carts/{user_id}/items, PATCH/DELETE /carts/{user_id}/items/{product_id}. */
export function cartRoutes(carts: CartService): Router {
  const router = Router();
  const send = (res: { json(body: Cart): unknown }, cart: Cart) => res.json(cart);
  router.get('/carts/:user_id', async (req, res) => {
    send(res, await carts.get(ownerOf(CartParams, req).user_id));
  });
  router.post('/carts/:user_id/items', async (req, res) => {
    const { user_id } = ownerOf(CartParams, req);
    const { product_id, quantity } = parseBody(CartItemAdd, req);
    send(res, await carts.add(user_id, product_id, quantity, keyOf(req)));
  });
  router.patch('/carts/:user_id/items/:product_id', async (req, res) => {
    const { user_id, product_id } = ownerOf(CartItemParams, req);
    const { quantity } = parseBody(CartItemPatch, req);
    send(res, await carts.setQuantity(user_id, product_id, quantity, keyOf(req)));
  });
  router.delete('/carts/:user_id/items/:product_id', async (req, res) => {
    const { user_id, product_id } = ownerOf(CartItemParams, req);
    send(res, await carts.remove(user_id, product_id, keyOf(req)));
  });
  router.delete('/carts/:user_id', async (req, res) => {
    await carts.clear(ownerOf(CartParams, req).user_id);
    res.status(204).end();
  });
  return router;
}
