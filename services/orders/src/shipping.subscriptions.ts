// Shipping's progress moves orders forward: ItemShipped → SHIPPED, OrderDelivered → DELIVERED. Delivery is
// at-least-once and unordered, so handlers are idempotent and never move an order backwards (order.state.ts).
import { ItemShipped, ShippingOrderDelivered, shippingEventTypes, topics } from '@globalmart/contracts';
import type { Logger } from '@globalmart/platform';
import { Router, type Response } from 'express';
import type { z } from 'zod';
import type { OrderWriter, TransitionDetail } from './order.writer.ts';

type Status = 'SUCCESS' | 'RETRY' | 'DROP';

const routes = {
  shipped: '/events/item-shipped',
  delivered: '/events/order-delivered',
  ignored: '/events/ignored',
};

export function shippingSubscriptions(writer: OrderWriter, logger: Logger): Router {
  const router = Router();
  const answer = (res: Response, status: Status) => res.status(200).json({ status });

  router.get('/dapr/subscribe', (_req, res) => {
    res.json([
      {
        pubsubname: 'pubsub',
        topic: topics.shipping,
        routes: {
          rules: [
            { match: `event.type == '${shippingEventTypes.ItemShipped}'`, path: routes.shipped },
            { match: `event.type == '${shippingEventTypes.OrderDelivered}'`, path: routes.delivered },
          ],
          default: routes.ignored,
        },
        deadLetterTopic: `${topics.shipping}-dlq`,
      },
    ]);
  });

  const handler =
    <S extends z.ZodType<{ order_id: string }>>(schema: S, to: 'SHIPPED' | 'DELIVERED', detail: (data: z.output<S>) => TransitionDetail) =>
    async (req: { body?: { id?: unknown; data?: unknown } }, res: Response) => {
      const parsed = schema.safeParse(req.body?.data);
      if (!parsed.success) {
        logger.warn({ event_id: req.body?.id, issues: parsed.error.issues }, 'invalid shipping event dropped');
        return answer(res, 'DROP');
      }
      const orderId = parsed.data.order_id;
      try {
        const result = await writer.transition(orderId, to, detail(parsed.data));
        switch (result.kind) {
          case 'applied':
          case 'noop':
            return answer(res, 'SUCCESS');
          case 'early':
            // The saga has not confirmed the order yet (it books the shipment just before): redeliver later.
            return answer(res, 'RETRY');
          case 'reject':
            logger.info({ order_id: orderId, status: result.status, to }, 'shipping event for a closed order ignored');
            return answer(res, 'SUCCESS');
          case 'missing':
            logger.warn({ order_id: orderId, event_id: req.body?.id }, 'shipping event for an unknown order dropped');
            return answer(res, 'DROP');
        }
      } catch (err) {
        logger.warn({ err, order_id: orderId }, 'shipping event not applied; redelivery requested');
        return answer(res, 'RETRY');
      }
    };

  router.post(
    routes.shipped,
    handler(ItemShipped, 'SHIPPED', (d) => ({
      shipment: { shipment_id: d.shipment_id, carrier: d.carrier, tracking_number: d.tracking_number },
    })),
  );
  router.post(
    routes.delivered,
    handler(ShippingOrderDelivered, 'DELIVERED', (d) => ({ shipment: { shipment_id: d.shipment_id } })),
  );
  router.post(routes.ignored, (_req, res) => answer(res, 'SUCCESS'));
  return router;
}
