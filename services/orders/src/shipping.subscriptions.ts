// Shipping's progress moves orders forward: ItemShipped → SHIPPED, OrderDelivered → DELIVERED. Delivery is
// at-least-once and unordered, so handlers are idempotent and never move an order backwards (order.state.ts).
import { shippingEventTypes } from '@globalmart/contracts';
import { Subscriptions, type DeliveryStatus, type Logger } from '@globalmart/platform';
import type { Router } from 'express';
import type { OrderWriter, TransitionDetail } from './order.writer.ts';

export function shippingSubscriptions(writer: OrderWriter, logger: Logger): Router {
  const advance = async (
    orderId: string,
    to: 'SHIPPED' | 'DELIVERED',
    detail: TransitionDetail,
    eventId?: string,
  ): Promise<DeliveryStatus> => {
    const result = await writer.transition(orderId, to, detail);
    switch (result.kind) {
      case 'applied':
      case 'noop':
        return 'SUCCESS';
      case 'early':
        // The saga has not confirmed the order yet (it books the shipment just before): redeliver later.
        return 'RETRY';
      case 'reject':
        logger.info({ order_id: orderId, status: result.status, to }, 'shipping event for a closed order ignored');
        return 'SUCCESS';
      case 'missing':
        logger.warn({ order_id: orderId, event_id: eventId }, 'shipping event for an unknown order dropped');
        return 'DROP';
    }
  };
  return new Subscriptions(logger)
    .on(shippingEventTypes.ItemShipped, (d, meta) =>
      advance(
        d.order_id,
        'SHIPPED',
        { shipment: { shipment_id: d.shipment_id, carrier: d.carrier, tracking_number: d.tracking_number } },
        meta.id,
      ),
    )
    .on(shippingEventTypes.OrderDelivered, (d, meta) =>
      advance(d.order_id, 'DELIVERED', { shipment: { shipment_id: d.shipment_id } }, meta.id),
    )
    .router();
}
