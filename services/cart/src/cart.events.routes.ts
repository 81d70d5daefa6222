import { eventCatalog, eventTypes, OrderPlaced } from '@globalmart/contracts';
import type { Logger } from '@globalmart/platform';
import { Router } from 'express';
import type { CartService } from './cart.service.ts';

const { topic } = eventCatalog[eventTypes.OrderPlaced];

/** Programmatic subscription: OrderPlaced (topic orders) takes the ordered units out of the customer's cart. */
export function cartEventRoutes(carts: CartService, logger: Logger): Router {
  const router = Router();
  router.get('/dapr/subscribe', (_req, res) => {
    res.json([
      {
        pubsubname: 'pubsub',
        topic,
        routes: {
          rules: [{ match: `event.type == '${eventTypes.OrderPlaced}'`, path: '/events/order-placed' }],
          default: '/events/ignored',
        },
        deadLetterTopic: `${topic}-dlq`,
      },
    ]);
  });
  router.post('/events/order-placed', async (req, res) => {
    const parsed = OrderPlaced.safeParse(req.body?.data);
    if (!parsed.success) {
      logger.warn({ event_id: req.body?.id, issues: parsed.error.issues }, 'invalid OrderPlaced dropped');
      res.json({ status: 'DROP' });
      return;
    }
    try {
      const changed = await carts.orderPlaced(parsed.data);
      logger.info({ order_id: parsed.data.order_id, changed }, 'OrderPlaced applied to the cart');
      res.json({ status: 'SUCCESS' });
    } catch (err) {
      logger.warn({ err, order_id: parsed.data.order_id }, 'OrderPlaced not applied yet; Dapr will redeliver');
      res.json({ status: 'RETRY' });
    }
  });
  router.post('/events/ignored', (_req, res) => {
    res.json({ status: 'SUCCESS' });
  });
  return router;
}
