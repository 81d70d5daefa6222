import { eventCatalog, OrderCancelled, ordersEventTypes } from '@globalmart/contracts';
import { AppError, type Logger } from '@globalmart/platform';
import { Router } from 'express';
import type { ReservationService } from './reservation.service.ts';

const ORDER_CANCELLED = ordersEventTypes.OrderCancelled;
const { topic } = eventCatalog[ORDER_CANCELLED];

/** Programmatic subscription: OrderCancelled (topic orders) releases the order's reservation. */
export function inventoryEventRoutes(reservations: ReservationService, logger: Logger): Router {
  const router = Router();
  router.get('/dapr/subscribe', (_req, res) => {
    res.json([
      {
        pubsubname: 'pubsub',
        topic,
        routes: { rules: [{ match: `event.type == '${ORDER_CANCELLED}'`, path: '/events/order-cancelled' }], default: '/events/ignored' },
        deadLetterTopic: `${topic}-dlq`,
      },
    ]);
  });
  router.post('/events/order-cancelled', async (req, res) => {
    const parsed = OrderCancelled.safeParse(req.body?.data);
    if (!parsed.success) {
      logger.warn({ event_id: req.body?.id, issues: parsed.error.issues }, 'invalid OrderCancelled dropped');
      res.json({ status: 'DROP' });
      return;
    }
    const orderId = parsed.data.order_id;
    try {
      await reservations.release(orderId, 'order_cancelled');
      res.json({ status: 'SUCCESS' });
    } catch (err) {
      if (err instanceof AppError && err.status === 409) {
        // Already committed: the order's units are sold; nothing to put back here.
        logger.warn({ order_id: orderId }, 'OrderCancelled for a committed reservation: nothing released');
        res.json({ status: 'SUCCESS' });
        return;
      }
      logger.warn({ err, order_id: orderId }, 'OrderCancelled not applied yet; Dapr will redeliver');
      res.json({ status: 'RETRY' });
    }
  });
  router.post('/events/ignored', (_req, res) => {
    res.json({ status: 'SUCCESS' });
  });
  return router;
}
