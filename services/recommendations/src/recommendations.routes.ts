import { RecommendationsQuery, eventTypes, ordersEventTypes, type RecommendationsResponse } from '@globalmart/contracts';
import { Subscriptions, parseQuery, type EventMeta, type Logger } from '@globalmart/platform';
import { Router } from 'express';
import { createHash } from 'node:crypto';
import type { CatalogSync } from './catalog.sync.ts';
import type { Learner } from './learner.ts';
import { ENGINE, type Model } from './model.ts';

/** GET /recommendations?product_id=&user_id=&limit= (internal, reached by Dapr service invocation), answered from memory. */
export function recommendationsRoutes(model: Model, learner: Learner): Router {
  const router = Router();
  router.get('/recommendations', async (req, res) => {
    const query = parseQuery(RecommendationsQuery, req);
    let items;
    // A product page asks with product_id (and maybe user_id): the product decides. Without one, the user's views do.
    if (query.product_id !== undefined) items = model.forProduct(query.product_id, query.limit);
    else if (query.user_id !== undefined) items = model.forUser(await learner.recentViews(query.user_id), query.limit);
    else items = model.forUser([], query.limit);
    const body: RecommendationsResponse = { items, engine: ENGINE };
    res.json(body);
  });
  return router;
}

/** Dapr always sets a CloudEvent id; without one the data itself stands in, so an identical copy still counts once. */
function eventId(meta: EventMeta, data: unknown): string {
  return meta.id ?? `${meta.type}:${createHash('sha256').update(JSON.stringify(data)).digest('hex')}`;
}

/** OrderConfirmed (topic orders) and ProductViewed (topic catalog) teach the counts; ProductUpdated re-reads the product. */
export function recommendationsEventRoutes(learner: Learner, catalog: CatalogSync, logger: Logger): Router {
  return new Subscriptions(logger)
    .on(ordersEventTypes.OrderConfirmed, async (order, meta) => {
      const outcome = await learner.orderConfirmed(
        order.items.map((i) => i.product_id),
        eventId(meta, order),
      );
      // One line per delivery (orders are few next to page views): `duplicate` = a repeat that changed nothing.
      logger.info({ order_id: order.order_id, event_id: meta.id, outcome }, 'OrderConfirmed learned');
    })
    .on(eventTypes.ProductViewed, async (view, meta) => {
      await learner.productViewed(view, eventId(meta, view));
    })
    .on(eventTypes.ProductUpdated, async (update) => {
      await catalog.refresh(update.product_id);
    })
    .router();
}
