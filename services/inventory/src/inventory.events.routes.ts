import { ordersEventTypes } from '@globalmart/contracts';
import { AppError, Subscriptions, type Logger } from '@globalmart/platform';
import type { Router } from 'express';
import type { ReservationService } from './reservation.service.ts';

/** OrderCancelled (topic orders) releases the order's reservation. */
export function inventoryEventRoutes(reservations: ReservationService, logger: Logger): Router {
  return new Subscriptions(logger)
    .on(ordersEventTypes.OrderCancelled, async ({ order_id }) => {
      try {
        await reservations.release(order_id, 'order_cancelled');
      } catch (err) {
        // Already committed: the order's units are sold; nothing to put back here.
        if (!(err instanceof AppError && err.status === 409)) throw err;
        logger.warn({ order_id }, 'OrderCancelled for a committed reservation: nothing released');
      }
    })
    .router();
}
