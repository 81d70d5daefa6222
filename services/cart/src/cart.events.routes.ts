import { eventTypes } from '@globalmart/contracts';
import { Subscriptions, type Logger } from '@globalmart/platform';
import type { Router } from 'express';
import type { CartService } from './cart.service.ts';

/** OrderPlaced (topic orders) takes the ordered units out of the customer's cart. */
export function cartEventRoutes(carts: CartService, logger: Logger): Router {
  return new Subscriptions(logger)
    .on(eventTypes.OrderPlaced, async (order) => {
      const changed = await carts.orderPlaced(order);
      logger.info({ order_id: order.order_id, changed }, 'OrderPlaced applied to the cart');
    })
    .router();
}
