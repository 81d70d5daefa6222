import { eventCatalog, eventTypes, type StockUpdated } from '@globalmart/contracts';
import type { EventPublisher, Logger } from '@globalmart/platform';
import type { Stock } from './stock.rules.ts';

const { topic } = eventCatalog[eventTypes.StockUpdated];

export interface StockEvents {
  /** Never throws: the stock change is already saved, and StockUpdated only refreshes views of it. */
  changed(productId: string, stock: Stock, at?: Date): Promise<void>;
}

/**
 * StockUpdated after an admin update, a reservation and a release. The id `stock:{product_id}:{rev}` is unique
 * per change, so a redelivery is recognisable and a consumer can drop an older level arriving late. Published
 * after the save (no transactional outbox on this path): a failed publish is logged, the next change corrects it.
 */
export function stockEvents(publisher: EventPublisher, logger: Logger): StockEvents {
  return {
    async changed(productId, stock, at = new Date()) {
      const data: StockUpdated = { product_id: productId, stock_qty: stock.available, occurred_at: at.toISOString() };
      try {
        await publisher.publish(topic, eventTypes.StockUpdated, data, { id: `stock:${productId}:${stock.rev}` });
      } catch (err) {
        logger.warn({ err, product_id: productId }, 'StockUpdated not published');
      }
    },
  };
}
